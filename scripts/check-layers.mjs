#!/usr/bin/env node
// Enforces the one-way imports of docs/architecture.md §Layers: each layer may import only the
// layers listed for it. Runs in `npm test`, so a crossed layer fails CI.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'src');
const allowed = {
  core: ['core'],
  config: ['core', 'config'],
  protocols: ['core', 'protocols'],
  storage: ['core', 'storage'],
  services: ['core', 'config', 'storage', 'services'],
  extensions: ['core', 'storage', 'services', 'extensions'],
  gateway: ['core', 'config', 'protocols', 'extensions', 'storage', 'services', 'gateway'],
  admin: ['core', 'config', 'services', 'admin'],
  cli: ['core', 'config', 'services', 'cli'],
  simulator: ['core', 'protocols', 'simulator'],
  dashboard: ['dashboard'],
  bench: ['core', 'bench', 'simulator'],
  testing: ['testing'],
};
// Packages a layer must never import (I/O in pure layers).
const forbiddenPkgs = {
  core: ['node:http', 'undici', 'better-sqlite3', 'ioredis', 'node:fs', 'node:net'],
  protocols: ['node:http', 'undici', 'better-sqlite3', 'ioredis', 'node:fs', 'node:net'],
};
// Gateway code routes by protocol, never by vendor: no vendor names as string literals.
const vendorLiteral = /['"`](anthropic|bedrock|gemini|google|azure|ollama)['"`]/;

const problems = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) check(p);
  }
}
function layerOf(file) {
  const rel = relative(root, file).split('/');
  return rel.length > 1 ? rel[0] : null; // top-level files (main.ts, app.ts) are wiring
}
function check(file) {
  const layer = layerOf(file);
  if (!layer) return;
  // Test helpers and the conformance suite (test-only) wire real parts together, like tests.
  if (layer === 'testing' || layer === 'conformance') return;
  const src = readFileSync(file, 'utf8');
  const isTest = file.endsWith('.test.ts');
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
    const spec = m[1];
    if (spec.startsWith('.')) {
      const target = layerOf(resolve(dirname(file), spec));
      if (isTest) continue; // tests may wire real parts together
      if (target === 'testing') { problems.push(`${relative(root, file)} (production code) imports test helper ${spec}`); continue; }
      if (target === null) { problems.push(`${relative(root, file)} imports wiring module ${spec}`); continue; }
      if (!(allowed[layer] ?? []).includes(target)) problems.push(`${relative(root, file)} (${layer}) imports ${spec} (${target})`);
    } else if (!isTest && (forbiddenPkgs[layer] ?? []).some((p) => spec === p || spec.startsWith(p + '/'))) {
      problems.push(`${relative(root, file)} (${layer}) imports ${spec}`);
    }
  }
  if (layer === 'gateway' && !isTest) {
    src.split('\n').forEach((line, i) => {
      if (!line.trim().startsWith('//') && vendorLiteral.test(line)) problems.push(`${relative(root, file)}:${i + 1} names a vendor: ${line.trim()}`);
    });
  }
}
walk(root);
if (problems.length) {
  console.error('Layer check failed:\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log('layers ok');
