import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRequestId } from './server.js';

describe('newRequestId', () => {
  it('gives UUID-shaped ids, none repeated over many requests', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newRequestId());
    assert.equal(seen.size, 100_000);
    for (const id of [...seen].slice(0, 50)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('ids from separate processes differ in their random head', async () => {
    const { execFileSync } = await import('node:child_process');
    const one = (): string => execFileSync(process.execPath, ['--input-type=module', '-e', `import { newRequestId } from '${new URL('./server.js', import.meta.url).href}'; process.stdout.write(newRequestId());`]).toString();
    const a = one();
    const b = one();
    assert.notEqual(a.slice(0, 23), b.slice(0, 23));
  });
});
