import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRequestId, requestIdCounter } from './server.js';

describe('newRequestId', () => {
  it('gives UUID-shaped ids, none repeated over many requests', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newRequestId());
    assert.equal(seen.size, 100_000);
    for (const id of [...seen].slice(0, 50)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('counts on across the low half and wraps after 2^48 ids', () => {
    const head = '01234567-89ab-4cde-8f01-';
    const next = requestIdCounter(head, 2 ** 24 - 2);
    assert.deepEqual([next(), next(), next()], [`${head}000000fffffe`, `${head}000000ffffff`, `${head}000001000000`]);
    const last = requestIdCounter(head, 2 ** 48 - 1);
    assert.deepEqual([last(), last()], [`${head}ffffffffffff`, `${head}000000000000`]);
    const mid = requestIdCounter(head, 0xabcdef123456);
    assert.equal(mid(), `${head}abcdef123456`);
  });

  it('ids from separate processes differ in their random head', async () => {
    const { execFileSync } = await import('node:child_process');
    const one = (): string => execFileSync(process.execPath, ['--input-type=module', '-e', `import { newRequestId } from '${new URL('./server.js', import.meta.url).href}'; process.stdout.write(newRequestId());`]).toString();
    const a = one();
    const b = one();
    assert.notEqual(a.slice(0, 23), b.slice(0, 23));
  });
});
