import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSchedule, rateForConcurrency } from './schedule.js';

test('requests are due at fixed intervals from the start', () => {
  const s = makeSchedule(2000, 5);
  assert.equal(s.total, 10_000);
  assert.equal(s.dueAt(0), 0);
  assert.equal(s.dueAt(1), 0.5);
  assert.equal(s.dueAt(2000), 1000);
  assert.equal(s.dueAt(9999), 4999.5);
});

test('dueBy counts the requests whose time has come, inclusive, capped at the total', () => {
  const s = makeSchedule(1000, 2);
  assert.equal(s.dueBy(-1), 0);
  assert.equal(s.dueBy(0), 1); // request 0 is due at once
  assert.equal(s.dueBy(0.999), 1);
  assert.equal(s.dueBy(1), 2);
  assert.equal(s.dueBy(10.5), 11);
  assert.equal(s.dueBy(1999), 2000);
  assert.equal(s.dueBy(60_000), 2000);
});

test('the schedule does not depend on how late the client is: a stall leaves requests due, not skipped', () => {
  const s = makeSchedule(5000, 1);
  // After a 40 ms stall, 201 requests are due; the sender sends them all at once.
  assert.equal(s.dueBy(40), 201);
  // Each one keeps its own due time, which latency is measured from.
  assert.equal(s.dueAt(200), 40);
  assert.equal(s.dueAt(100), 20);
});

test('rates that do not divide a millisecond keep exact due times', () => {
  const s = makeSchedule(351, 8);
  assert.equal(s.total, 2808);
  for (const i of [0, 1, 350, 351, 2807]) {
    assert.equal(s.dueBy(s.dueAt(i)), i + 1, `request ${i} is due at its own time`);
  }
});

test('bad rates and durations are refused', () => {
  assert.throws(() => makeSchedule(0, 5), /rate/);
  assert.throws(() => makeSchedule(Number.NaN, 5), /rate/);
  assert.throws(() => makeSchedule(100, 0), /duration/);
});

test('the rate for a concurrency is concurrency over the hold time', () => {
  assert.equal(rateForConcurrency(1000, 2.5), 400);
  assert.throws(() => rateForConcurrency(0, 1));
});
