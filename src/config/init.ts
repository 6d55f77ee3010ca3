/**
 * Writes a first config file: loopback listen address, a fresh admin token and `default` key,
 * SQLite storage beside the file, and a provider for every API key found in the environment
 * (referred to as `${VAR}`, never copied), or the built-in demo simulator when there is none.
 * The file holds secrets, so it is created with mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function newSecret(): string {
  return `sk-${randomBytes(32).toString('hex')}`;
}

export interface GeneratedConfig {
  text: string;
  adminToken: string;
  defaultKey: string;
  /** Providers declared, e.g. ["openai"] or ["demo"]. */
  providers: string[];
  demo: boolean;
}

interface EnvProvider {
  name: string;
  kind: string;
  vars: string[];
  models: string[];
}

/** Providers declared when their key is in the environment; model names are prefix patterns. */
const ENV_PROVIDERS: EnvProvider[] = [
  { name: 'openai', kind: 'openai', vars: ['OPENAI_API_KEY'], models: ['gpt-*', 'o1*', 'o3*', 'o4*', 'chatgpt-*', 'text-embedding-*', 'dall-e-*', 'gpt-image-*', 'tts-*', 'whisper-*'] },
  { name: 'anthropic', kind: 'anthropic', vars: ['ANTHROPIC_API_KEY'], models: ['claude-*'] },
  { name: 'gemini', kind: 'google', vars: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], models: ['gemini-*'] },
];

export function generateConfig(env: NodeJS.ProcessEnv, now: Date = new Date()): GeneratedConfig {
  const adminToken = newSecret();
  const defaultKey = newSecret();
  const found = ENV_PROVIDERS.flatMap((p) => {
    const v = p.vars.find((name) => env[name]);
    return v ? [{ ...p, var: v }] : [];
  });
  const lines: string[] = [
    `# llmux configuration, generated ${now.toISOString()}.`,
    '# Reference: docs/configuration.md. This file holds secrets: keep it private (mode 0600).',
    '# Values may use ${VAR} and ${VAR:-default} to read the environment.',
    '',
    'listen = "127.0.0.1:5632"',
    '',
    '# Bearer token for the admin API (/v1/admin/*) and the llmux CLI. Never a client key.',
    `admin_token = "${adminToken}"`,
    '',
    '# Keys created at run time (llmux keys create) and providers added with',
    '# `llmux providers create` are kept here and survive restarts.',
    '[storage]',
    'kind = "sqlite"',
    'path = "llmux.db"',
    '',
    '# Virtual keys clients send as "Authorization: Bearer <key>" or "x-api-key: <key>".',
    '[[keys]]',
    'name = "default"',
    `key = "${defaultKey}"`,
    'models = ["*"]',
    '',
  ];
  for (const p of found) {
    lines.push(
      `[providers.${p.name}]`,
      `kind = "${p.kind}"`,
      `api_key = "\${${p.var}}"`,
      '# Model names this provider serves; a trailing * matches a prefix.',
      `models = [${p.models.map((m) => JSON.stringify(m)).join(', ')}]`,
      '',
    );
  }
  const demo = found.length === 0;
  if (demo) {
    lines.push(
      '# The built-in simulator: answers locally, no API key needed. Replace it with a real',
      '# provider, e.g.: npx llmux providers create openai --kind openai --api-key "$OPENAI_API_KEY"',
      '[providers.demo]',
      'kind = "simulator"',
      'models = ["demo"]',
      '',
      '[providers.demo.simulator]',
      'preset = "demo"',
      '',
    );
  }
  return { text: lines.join('\n'), adminToken, defaultKey, providers: demo ? ['demo'] : found.map((p) => p.name), demo };
}

export class ConfigExistsError extends Error {
  override name = 'ConfigExistsError';
}

/** Writes the file with mode 0600 (also when overwriting), creating parent folders. */
export function writeConfigFile(path: string, text: string, force = false): string {
  const abs = resolve(path);
  if (existsSync(abs) && !force) throw new ConfigExistsError(`${abs} already exists; use --force to overwrite it`);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text, { mode: 0o600 });
  chmodSync(abs, 0o600);
  return abs;
}
