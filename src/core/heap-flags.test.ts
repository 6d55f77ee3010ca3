import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flagsNotGiven, givenNodeFlags, RUNTIME_V8_FLAGS } from './heap-flags.js';

describe('heap flags', () => {
  it('applies every flag the operator did not set', () => {
    assert.deepEqual(flagsNotGiven(RUNTIME_V8_FLAGS, []), [...RUNTIME_V8_FLAGS]);
    assert.deepEqual(flagsNotGiven(['--a=1', '--b'], ['--inspect', 'x']), ['--a=1', '--b']);
  });

  it('leaves a flag the operator set, whatever its value, spelling or negation', () => {
    assert.deepEqual(flagsNotGiven(['--heap-growing-percent=25', '--liftoff-only'], ['--heap_growing_percent=100']), ['--liftoff-only']);
    assert.deepEqual(flagsNotGiven(['--heap-growing-percent=25', '--liftoff-only'], ['--no-liftoff-only']), ['--heap-growing-percent=25']);
    assert.deepEqual(flagsNotGiven(RUNTIME_V8_FLAGS, ['--heap-growing-percent=0', '--liftoff-only']), []);
  });

  it('reads the operator flags from the command line and NODE_OPTIONS', () => {
    assert.deepEqual(givenNodeFlags(['--inspect'], ' --max-semi-space-size=4  --trace-gc '), ['--inspect', '--max-semi-space-size=4', '--trace-gc']);
    assert.deepEqual(givenNodeFlags([], undefined), []);
    assert.deepEqual(flagsNotGiven(['--heap-growing-percent=25'], givenNodeFlags([], '--heap-growing-percent=50')), []);
  });
});
