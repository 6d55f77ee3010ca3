import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cell, formatDetail, formatJson, formatTable, maskSecret } from './format.js';
import { KEY_COLUMNS, keyDetail, keyRow } from './keys.js';
import { PROVIDER_COLUMNS, providerDetail, providerRow } from './providers.js';

test('a table sizes each column to its widest cell, dashes under the header, no trailing spaces', () => {
  const out = formatTable(KEY_COLUMNS, [
    keyRow({ name: 'default', key_prefix: 'sk-1a2b3...', models: ['*'], rate_limit: { requests_per_minute: 60 }, source: 'config' }),
    keyRow({ name: 'ci', key_prefix: '***', models: ['gpt-4o', 'claude-sonnet-4'], rate_limit: { requests_per_minute: 5, tokens_per_minute: 10000 }, source: 'dynamic' }),
  ]);
  assert.equal(
    out,
    [
      'NAME     PREFIX       MODELS                   RPM  TPM    SOURCE',
      '-------  -----------  -----------------------  ---  -----  -------',
      'default  sk-1a2b3...  *                        60   -      config',
      'ci       ***          gpt-4o, claude-sonnet-4  5    10000  dynamic',
      '',
    ].join('\n'),
  );
});

test('an empty list prints (no results)', () => {
  assert.equal(formatTable(PROVIDER_COLUMNS, []), '(no results)\n');
});

test('columns count code points, so non-ASCII names stay aligned', () => {
  const out = formatTable(['A', 'B'], [['ünï', 'x'], ['a', 'y']]);
  assert.equal(out, 'A    B\n---  -\nünï  x\na    y\n');
});

test('provider rows follow crabctl columns and show only the key prefix', () => {
  assert.deepEqual([...PROVIDER_COLUMNS], ['NAME', 'KIND', 'MODELS', 'BASE URL', 'API KEY', 'WEIGHT', 'SOURCE']);
  assert.deepEqual(providerRow({ name: 'oa', kind: 'openai', api_key_prefix: 'sk-proj-...', models: ['gpt-4o'], weight: 2, source: 'config' }), ['oa', 'openai', 'gpt-4o', '-', 'sk-proj-...', '2', 'config']);
  // A server that wrongly sends the whole secret still gets it masked.
  assert.deepEqual(providerRow({ name: 'x', kind: 'openai', api_key: 'sk-whole-secret-value', models: [] }), ['x', 'openai', '-', '-', 'sk-whole...', '-', '-']);
});

test('provider detail: crabctl fields in order, llmux extras when present, secrets and header values hidden', () => {
  const out = providerDetail({
    name: 'bed',
    kind: 'bedrock',
    models: ['anthropic.claude-3'],
    weight: 1,
    max_retries: 2,
    timeout: 30,
    idle_timeout: 60,
    region: 'eu-west-1',
    access_key_prefix: 'AKIAABCD...',
    secret_key: 'wJalrXUtnFEMI/K7MDENG',
    session_token: 'FwoGZXIvYXdzEJr-very-long',
    headers: { 'x-team': 'platform-secret-value' },
    created_at: '2026-05-01T00:00:00Z',
    source: 'dynamic',
  });
  assert.equal(
    out,
    [
      'Name:           bed',
      'Kind:           bedrock',
      'Models:         anthropic.claude-3',
      'Base URL:       -',
      'API Key:        -',
      'Weight:         1',
      'Max Retries:    2',
      'Timeout:        30s',
      'API Version:    -',
      'Region:         eu-west-1',
      'Access Key:     AKIAABCD...',
      'Idle Timeout:   60s',
      'Session Token:  FwoGZXIv...',
      'Headers:        x-team',
      'created_at:     2026-05-01T00:00:00Z',
      'Source:         dynamic',
      '',
    ].join('\n'),
  );
  assert.ok(!out.includes('wJalrXUtnFEMI'));
  assert.ok(!out.includes('platform-secret-value'));
});

test('cells, masks, details and JSON', () => {
  assert.equal(cell(undefined), '-');
  assert.equal(cell(null), '-');
  assert.equal(cell([]), '-');
  assert.equal(cell(0), '0');
  assert.equal(cell(30, 's'), '30s');
  assert.equal(maskSecret('sk-0123456789'), 'sk-01234...');
  assert.equal(maskSecret('short'), '***');
  assert.equal(formatDetail([['Name', 'a'], ['RPM', '-']]), 'Name:  a\nRPM:   -\n');
  assert.equal(formatJson({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}\n');
});

test('key detail: crabctl fields, then fields the gateway adds, Source last', () => {
  assert.equal(
    keyDetail({ name: 'ci', key_prefix: 'sk-5577f...', models: ['gpt-4o'], rate_limit: { tokens_per_minute: 1000 }, source: 'dynamic', created_at: '2026-05-01T10:00:00.000Z' }),
    'Name:        ci\nPrefix:      sk-5577f...\nModels:      gpt-4o\nRPM:         -\nTPM:         1000\ncreated_at:  2026-05-01T10:00:00.000Z\nSource:      dynamic\n',
  );
});
