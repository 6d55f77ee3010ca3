/**
 * Test helpers for reading recorded provider traffic from test/fixtures (copied from the
 * conformance transcripts, each with its `.source.json` sidecar naming where it came from).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this file holding package.json. */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('project root not found');
})();

export function fixturePath(rel: string): string {
  return join(projectRoot, 'test', 'fixtures', rel);
}

export function readFixture(rel: string): Buffer {
  return readFileSync(fixturePath(rel));
}

export function readFixtureText(rel: string): string {
  return readFixture(rel).toString('utf8');
}

export function readFixtureJson<T = unknown>(rel: string): T {
  return JSON.parse(readFixtureText(rel)) as T;
}

/** A `.jsonl` transcript: one parsed payload per non-empty line. */
export function readFixtureJsonl<T = unknown>(rel: string): T[] {
  return readFixtureText(rel)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}
