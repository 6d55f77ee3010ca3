import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { projectRoot } from '../testing/fixtures.js';
import { configurationDoc } from './docs.js';

it('docs/configuration.md matches the schema (regenerate with node scripts/gen-config-docs.mjs)', () => {
  const onDisk = readFileSync(join(projectRoot, 'docs', 'configuration.md'), 'utf8');
  assert.equal(onDisk, configurationDoc());
});
