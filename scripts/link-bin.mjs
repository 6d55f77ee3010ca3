#!/usr/bin/env node
// Makes `npx llmux` run this checkout's CLI: npm links the bins of dependencies into
// node_modules/.bin, but never the project's own. Runs after the build in `prepare`.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'main.js');
chmodSync(target, 0o755);
const bin = join(root, 'node_modules', '.bin');
mkdirSync(bin, { recursive: true });
const link = join(bin, 'llmux');
rmSync(link, { force: true });
symlinkSync('../../dist/main.js', link);
