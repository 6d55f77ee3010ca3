/**
 * Noticing that the config file changed, so that it is reloaded without a signal.
 *
 * The path is polled with `stat` (libuv's fs_poll) rather than watched with inotify:
 * - a Kubernetes ConfigMap update swaps a `..data` symlink in the folder, and no event names the
 *   config file itself; `stat` follows the symlinks, so the new file's inode and mtime show;
 * - a watch on the folder wakes the process for every write to a log file or database beside the
 *   config (a log written at info level is one event per request);
 * - editors that save by rename, bind mounts and network filesystems all look the same to `stat`.
 * One `stat` a second costs nothing measurable; a change is seen within the interval.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';

/** How often the config file is checked, when the caller does not say. */
export const CONFIG_POLL_MS = 1000;

/** Settling time after a change, so that a file written in several steps is read once, whole. */
const SETTLE_MS = 200;

export interface ConfigWatchEvents {
  /** The file changed (or came back); called once it has settled. */
  changed(): void;
  /** The file is gone; the running config stays in force until it is back. */
  missing(): void;
}

/** Starts watching; the returned function stops it. The watch never keeps the process alive. */
export function watchConfigFile(path: string, on: ConfigWatchEvents, intervalMs = CONFIG_POLL_MS): () => void {
  let timer: NodeJS.Timeout | undefined;
  const listener = (curr: Stats, prev: Stats): void => {
    clearTimeout(timer);
    // A missing file reads as all zeros (and so did the previous state when it was missing).
    if (curr.ino === 0 && curr.mtimeMs === 0) {
      if (prev.ino !== 0 || prev.mtimeMs !== 0) on.missing();
      return;
    }
    timer = setTimeout(on.changed, SETTLE_MS);
    timer.unref();
  };
  watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => {
    clearTimeout(timer);
    unwatchFile(path, listener);
  };
}
