import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { descendants, parseProcStat, parseProcStatus, processTree, readMemory, readStat } from './proc.js';

test('a /proc/PID/stat line yields pid, ppid, utime and stime', () => {
  // A real line from a node process (fields 1-24 of 52).
  const line = '4242 (node) S 4200 4242 4200 0 -1 4194560 12345 0 0 0 731 95 0 0 20 0 11 0 98765 1234567890 28000 18446744073709551615';
  assert.deepEqual(parseProcStat(line), { pid: 4242, ppid: 4200, utime: 731, stime: 95 });
});

test('a command name with spaces and parentheses does not shift the fields', () => {
  const line = '77 (my (weird) proc) R 1 77 77 0 -1 0 0 0 0 0 12 34 0 0 20 0 1 0 5 100 10';
  assert.deepEqual(parseProcStat(line), { pid: 77, ppid: 1, utime: 12, stime: 34 });
});

test('a truncated stat line is an error, not zeros', () => {
  assert.throws(() => parseProcStat('12 (x) S 1 2 3'), /field 14/);
  assert.throws(() => parseProcStat('garbage'), /not a/);
});

test('this process reads back its own pid and parent', () => {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const s = parseProcStat(text);
  assert.equal(s.pid, process.pid);
  assert.equal(s.ppid, process.ppid);
  assert.ok(s.utime + s.stime >= 0);
  assert.equal(readStat(process.pid)?.pid, process.pid);
});

test('VmHWM and VmRSS come from /proc/PID/status in kB', () => {
  const text = ['Name:\tnode', 'VmPeak:\t 1200000 kB', 'VmHWM:\t   98304 kB', 'VmRSS:\t   65536 kB', 'Threads:\t11'].join('\n');
  assert.deepEqual(parseProcStatus(text), { hwmKb: 98304, rssKb: 65536 });
  assert.deepEqual(parseProcStatus('Name:\tkthreadd\n'), { hwmKb: 0, rssKb: 0 });
});

test('this process has a resident set no larger than its peak', () => {
  const m = readMemory(process.pid);
  assert.ok(m && m.rssKb > 1000, 'a node process holds more than 1 MB');
  assert.ok(m.hwmKb >= m.rssKb);
});

test('descendants walks the whole tree below a root and nothing else', () => {
  const procs = [
    { pid: 1, ppid: 0 },
    { pid: 10, ppid: 1 }, // the gateway primary
    { pid: 11, ppid: 10 }, // worker
    { pid: 12, ppid: 10 }, // worker
    { pid: 13, ppid: 12 }, // a worker's child
    { pid: 20, ppid: 1 }, // an unrelated process
  ];
  assert.deepEqual(descendants(10, procs).sort((a, b) => a - b), [10, 11, 12, 13]);
  assert.deepEqual(descendants(11, procs), [11]);
});

test('processTree of this process includes this process', () => {
  assert.ok(processTree(process.pid).includes(process.pid));
  assert.deepEqual(processTree(2 ** 22 + 12345), []); // above pid_max: no such process
});
