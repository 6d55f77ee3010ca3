import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortFile, summarizeProfile, type CpuProfile } from './profile.js';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

// Node 1 is the root; the samples name nodes, the deltas are µs since the previous sample.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '') },
    { id: 2, callFrame: frame('(idle)', '') },
    { id: 3, callFrame: frame('handle', 'file:///srv/llmux/dist/gateway/chat.js', 41) },
    { id: 4, callFrame: frame('parse', 'file:///srv/llmux/node_modules/undici/lib/llhttp.js', 9) },
    { id: 5, callFrame: frame('(garbage collector)', '') },
    { id: 6, callFrame: frame('handle', 'file:///srv/llmux/dist/gateway/chat.js', 41) },
  ],
  samples: [2, 3, 3, 4, 5, 6, 2],
  timeDeltas: [500, 100, 100, 150, 50, 100, 0],
};

test('self time is summed per function (same name and place) and per file, as shares of busy time', () => {
  const s = summarizeProfile(profile);
  assert.equal(s.totalMs, 1);
  assert.equal(s.busyMs, 0.5);
  assert.equal(s.idlePct, 50);
  assert.equal(s.gcPct, 10); // 50 of 500 busy µs
  assert.ok(!s.functions.some((f) => f.name === '(idle)'), 'idle is not a cost');
  // Two nodes of the same function (different call paths) count as one entry: 300 µs of 500.
  assert.deepEqual(s.functions[0], { name: 'handle (dist/gateway/chat.js:42)', selfMs: 0.3, selfPct: 60 });
  assert.deepEqual(s.functions[1], { name: 'parse (node_modules/undici/lib/llhttp.js:10)', selfMs: 0.15, selfPct: 30 });
  assert.deepEqual(s.functions[2], { name: '(garbage collector)', selfMs: 0.05, selfPct: 10 });
  assert.deepEqual(s.files.find((f) => f.name === 'dist/gateway/chat.js'), { name: 'dist/gateway/chat.js', selfMs: 0.3, selfPct: 60 });
});

test('without sample deltas, hit counts share the profile span', () => {
  const s = summarizeProfile({
    nodes: [
      { id: 1, callFrame: frame('a', 'file:///x/dist/a.js'), hitCount: 3 },
      { id: 2, callFrame: frame('b', 'file:///x/dist/b.js'), hitCount: 1 },
    ],
    startTime: 0,
    endTime: 4000,
  });
  assert.equal(s.totalMs, 4);
  assert.equal(s.functions[0]!.name, 'a (dist/a.js:1)');
  assert.equal(s.functions[0]!.selfPct, 75);
});

test('file names are cut to what identifies them', () => {
  assert.equal(shortFile('file:///work/main/node_modules/pino/lib/tools.js'), 'node_modules/pino/lib/tools.js');
  assert.equal(shortFile('file:///work/main/dist/gateway/server.js'), 'dist/gateway/server.js');
  assert.equal(shortFile('node:internal/http'), 'node:internal/http');
  assert.equal(shortFile(''), '(native)');
});
