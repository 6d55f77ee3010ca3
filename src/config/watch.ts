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
import { stat, statSync, type Stats } from 'node:fs';

/** How often the config file is checked, when the caller does not say. */
export const CONFIG_POLL_MS = 1000;

/** Settling time after a change, so that a file written in several steps is read once, whole. */
const SETTLE_MS = 200;

const MISSING = 'missing';

function signature(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** The file's state as the watch compares it; take it before reading the file. */
export function configFileState(path: string): string {
  try {
    return signature(statSync(path));
  } catch {
    return MISSING;
  }
}

export interface ConfigWatchEvents {
  /** The file changed (or came back); called once it has settled. */
  changed(): void;
  /** The file is gone; the running config stays in force until it is back. */
  missing(): void;
}

/**
 * Starts watching; the returned function stops it. `since` is the state the running config was
 * read in (configFileState before the load), so a change made while the process was starting is
 * not missed. The watch never keeps the process alive.
 */
export function watchConfigFile(path: string, on: ConfigWatchEvents, intervalMs = CONFIG_POLL_MS, since = configFileState(path)): () => void {
  let last = since;
  let settle: NodeJS.Timeout | undefined;
  let stopped = false;
  const poll = setInterval(() => {
    stat(path, (err, st) => {
      if (stopped) return;
      const now = err ? MISSING : signature(st);
      if (now === last) return;
      last = now;
      clearTimeout(settle);
      if (now === MISSING) return on.missing();
      settle = setTimeout(on.changed, SETTLE_MS);
      settle.unref();
    });
  }, intervalMs);
  poll.unref();
  return () => {
    stopped = true;
    clearInterval(poll);
    clearTimeout(settle);
  };
}
