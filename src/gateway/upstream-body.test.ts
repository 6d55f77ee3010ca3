/**
 * UpstreamBody on its own, fed the way the dispatch handler feeds it, with a controller that
 * records what undici was asked to do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Dispatcher } from 'undici';
import { UpstreamBody } from './upstream-body.js';

function controller(): Dispatcher.DispatchController & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    aborted: false,
    paused: false,
    reason: null,
    abort: (e: Error) => calls.push(`abort:${e.message}`),
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
  };
}

const b = (s: string) => Buffer.from(s);
const tick = () => new Promise((r) => setImmediate(r));

describe('UpstreamBody', () => {
  it('keeps chunks that came before the listeners and delivers them, then the end, in order', async () => {
    const body = new UpstreamBody(controller());
    body.push(b('a'));
    body.push(b('b'));
    body.end();
    const seen: string[] = [];
    body.on('data', (c) => seen.push(c.toString()));
    body.on('end', () => seen.push('END'));
    assert.deepEqual(seen, [], 'nothing is delivered before the caller has attached its listeners');
    await tick();
    assert.deepEqual(seen, ['a', 'b', 'END']);
  });

  it('hands chunks straight to the listener once attached', async () => {
    const body = new UpstreamBody(controller());
    const seen: string[] = [];
    body.on('data', (c) => seen.push(c.toString()));
    body.on('end', () => seen.push('END'));
    body.push(b('x'));
    assert.deepEqual(seen, ['x']);
    body.end();
    assert.deepEqual(seen, ['x', 'END']);
  });

  it('pause stops delivery and undici; resume delivers what waited, then lets undici go on', () => {
    const ctl = controller();
    const body = new UpstreamBody(ctl);
    const seen: string[] = [];
    body.on('data', (c) => seen.push(c.toString()));
    body.on('end', () => seen.push('END'));
    body.push(b('1'));
    body.pause();
    body.push(b('2'));
    body.end();
    assert.deepEqual(seen, ['1']);
    body.resume();
    assert.deepEqual(seen, ['1', '2', 'END']);
    assert.deepEqual(ctl.calls, ['pause', 'resume']);
  });

  it('a listener that pauses mid-queue stops the flush there', () => {
    const body = new UpstreamBody(controller());
    body.push(b('1'));
    body.push(b('2'));
    const seen: string[] = [];
    body.on('data', (c) => {
      seen.push(c.toString());
      body.pause();
    });
    body.resume(); // not paused yet: a no-op
    return tick().then(() => {
      assert.deepEqual(seen, ['1']);
      body.resume();
      assert.deepEqual(seen, ['1', '2']);
    });
  });

  it('holds undici when more than 64 KB waits without a reader, and releases it once drained', async () => {
    const ctl = controller();
    const body = new UpstreamBody(ctl);
    for (let i = 0; i < 5; i++) body.push(Buffer.alloc(16 * 1024));
    assert.deepEqual(ctl.calls, ['pause']);
    let got = 0;
    body.on('data', (c) => (got += c.length));
    await tick();
    assert.equal(got, 80 * 1024);
    assert.deepEqual(ctl.calls, ['pause', 'resume']);
  });

  it('an error drops what is queued and is delivered once, even to a late listener', async () => {
    const body = new UpstreamBody(controller());
    body.push(b('lost'));
    body.fail(new Error('reset'));
    body.push(b('after'));
    body.end();
    const seen: string[] = [];
    body.on('data', (c) => seen.push(c.toString()));
    body.on('end', () => seen.push('END'));
    body.on('error', (e) => seen.push(`error:${e.message}`));
    await tick();
    assert.deepEqual(seen, ['error:reset']);
  });

  it('destroy aborts the upstream call, and nothing is delivered after it', async () => {
    const ctl = controller();
    const body = new UpstreamBody(ctl);
    const seen: string[] = [];
    body.on('data', (c) => seen.push(c.toString()));
    body.on('error', (e) => seen.push(`error:${e.message}`));
    body.push(b('1'));
    body.destroy();
    body.push(b('2'));
    body.fail(new Error('aborted'));
    await tick();
    assert.deepEqual(seen, ['1']);
    assert.deepEqual(ctl.calls, ['abort:upstream body destroyed']);
    body.destroy();
    assert.equal(ctl.calls.length, 1, 'a second destroy does nothing');
  });

  it('destroy after the end does not abort', () => {
    const ctl = controller();
    const body = new UpstreamBody(ctl);
    body.end();
    body.destroy();
    assert.deepEqual(ctl.calls, []);
  });

  it('text() reads the whole body; a second listener for an event is refused', async () => {
    const body = new UpstreamBody(controller());
    const text = body.text();
    body.push(b('{"error":'));
    body.push(b('"x"}'));
    body.end();
    assert.equal(await text, '{"error":"x"}');
    assert.throws(() => body.on('data', () => {}), /one 'data' listener/);
  });
});
