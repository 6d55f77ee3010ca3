/**
 * The config watch on real files: in-place writes, saves by rename, a Kubernetes-style ConfigMap
 * symlink swap, a file that goes away and comes back, and writes beside the config that must not
 * count. The poll interval is shortened to 40 ms; each wait is bounded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { configFileState, watchConfigFile } from './watch.js';

const POLL_MS = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('config file watch', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  function setup(): { dir: string; seen: string[]; watch: (path: string) => void; until: (n: number) => Promise<void> } {
    const dir = mkdtempSync(join(tmpdir(), 'llmux-watch-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const seen: string[] = [];
    return {
      dir,
      seen,
      watch(path) {
        const stop = watchConfigFile(path, { changed: () => seen.push('changed'), missing: () => seen.push('missing') }, POLL_MS);
        cleanups.unshift(stop);
      },
      async until(n) {
        for (let i = 0; i < 100 && seen.length < n; i++) await sleep(20);
      },
    };
  }

  it('reports an in-place write once it settles, and a save by rename', async () => {
    const t = setup();
    const path = join(t.dir, 'llmux.toml');
    writeFileSync(path, 'a = 1\n');
    t.watch(path);
    await sleep(POLL_MS * 2);
    writeFileSync(path, 'a = 2\n');
    await t.until(1);
    assert.deepEqual(t.seen, ['changed']);
    // An editor's save: write a new file, rename it over the old one.
    writeFileSync(join(t.dir, '.llmux.toml.swp'), 'a = 3\n');
    renameSync(join(t.dir, '.llmux.toml.swp'), path);
    await t.until(2);
    assert.deepEqual(t.seen, ['changed', 'changed']);
  });

  it('ignores writes to other files in the folder', async () => {
    const t = setup();
    const path = join(t.dir, 'llmux.toml');
    writeFileSync(path, 'a = 1\n');
    t.watch(path);
    for (let i = 0; i < 10; i++) {
      writeFileSync(join(t.dir, 'mux.toml'), `x = ${i}\n`);
      writeFileSync(join(t.dir, 'access.log'), `line ${i}\n`, { flag: 'a' });
      await sleep(POLL_MS / 2);
    }
    await sleep(400);
    assert.deepEqual(t.seen, []);
    writeFileSync(path, 'a = 2\n');
    await t.until(1);
    assert.deepEqual(t.seen, ['changed'], 'the config itself is still watched');
  });

  it('follows a ConfigMap update: the ..data symlink is swapped and no event names the file', async () => {
    const t = setup();
    mkdirSync(join(t.dir, '..v1'));
    writeFileSync(join(t.dir, '..v1', 'llmux.toml'), 'a = 1\n');
    symlinkSync('..v1', join(t.dir, '..data'));
    symlinkSync(join('..data', 'llmux.toml'), join(t.dir, 'llmux.toml'));
    t.watch(join(t.dir, 'llmux.toml'));
    await sleep(POLL_MS * 2);
    // What the kubelet does: a new version folder, a new symlink renamed over ..data, the old folder removed.
    mkdirSync(join(t.dir, '..v2'));
    writeFileSync(join(t.dir, '..v2', 'llmux.toml'), 'a = 2\n');
    symlinkSync('..v2', join(t.dir, '..data_tmp'));
    renameSync(join(t.dir, '..data_tmp'), join(t.dir, '..data'));
    rmSync(join(t.dir, '..v1'), { recursive: true });
    await t.until(1);
    assert.deepEqual(t.seen, ['changed']);
  });

  it('reports a file that goes away once, and its return as a change', async () => {
    const t = setup();
    const path = join(t.dir, 'llmux.toml');
    writeFileSync(path, 'a = 1\n');
    t.watch(path);
    await sleep(POLL_MS * 2);
    unlinkSync(path);
    await t.until(1);
    await sleep(POLL_MS * 3);
    assert.deepEqual(t.seen, ['missing'], 'missing is said once while the file stays away');
    writeFileSync(path, 'a = 2\n');
    await t.until(2);
    assert.deepEqual(t.seen, ['missing', 'changed']);
  });

  it('a change between reading the file and starting the watch is still reported', async () => {
    const t = setup();
    const path = join(t.dir, 'llmux.toml');
    writeFileSync(path, 'a = 1\n');
    const since = configFileState(path); // taken before the config is read
    writeFileSync(path, 'a = 22\n'); // changed while the process was starting
    const stop = watchConfigFile(path, { changed: () => t.seen.push('changed'), missing: () => t.seen.push('missing') }, POLL_MS, since);
    cleanups.unshift(stop);
    await t.until(1);
    assert.deepEqual(t.seen, ['changed']);
  });

  it('stops when asked: a change after that is not reported', async () => {
    const t = setup();
    const path = join(t.dir, 'llmux.toml');
    writeFileSync(path, 'a = 1\n');
    const seen: string[] = [];
    const stop = watchConfigFile(path, { changed: () => seen.push('changed'), missing: () => seen.push('missing') }, POLL_MS);
    stop();
    writeFileSync(path, 'a = 2\n');
    await sleep(POLL_MS * 3 + 300);
    assert.deepEqual(seen, []);
  });
});
