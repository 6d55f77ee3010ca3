import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { freezeGroups, ProcessGroup } from './processes.js';

/** The state letter of /proc/PID/stat: R, S, T (stopped), … */
function state(pid: number): string {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return line.slice(line.lastIndexOf(')') + 2, line.lastIndexOf(')') + 3);
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a frozen gateway group is stopped, its workers too, and runs again when thawed', async () => {
  const group = new ProcessGroup();
  // A parent with one child, as a gateway with a worker: both in the parent's group.
  const parent = group.node(['-e', "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000)"]);
  try {
    const pid = parent.pid!;
    let worker = 0;
    await until(() => {
      const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      worker = Number(kids.split(' ')[0] ?? 0);
      return worker > 0;
    }, 'the worker');
    freezeGroups([pid], true);
    await until(() => state(pid) === 'T' && state(worker) === 'T', 'both to stop');
    freezeGroups([pid], false);
    await until(() => state(pid) !== 'T' && state(worker) !== 'T', 'both to run again');
  } finally {
    await group.stopAll();
  }
});

test('stopping a frozen group does not wait for the SIGKILL grace period', async () => {
  const group = new ProcessGroup();
  const child = group.node(['-e', 'setInterval(() => {}, 1000)']);
  await new Promise((r) => child.once('spawn', r));
  freezeGroups([child.pid!], true);
  await until(() => state(child.pid!) === 'T', 'the child to stop');
  const t0 = Date.now();
  await group.stop(child, 3000);
  // SIGTERM alone would sit pending on a stopped process until the 3 s grace ran out.
  assert.equal(child.signalCode, 'SIGTERM');
  assert.ok(Date.now() - t0 < 2500, `stopped after ${Date.now() - t0} ms`);
});

test('freezing a process that is gone is not an error', () => {
  assert.doesNotThrow(() => freezeGroups([2 ** 22 + 12345], true));
});
