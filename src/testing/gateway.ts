/**
 * Starts the real llmux app for a test: a config file written to a fresh temp folder, the
 * server on an ephemeral loopback port, log lines captured instead of printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type App, type AppOptions, type Logger } from '../app.js';

export interface TestGateway {
  app: App;
  url: string;
  dir: string;
  configPath: string;
  logs: Array<Record<string, unknown>>;
  /** Rewrites the config file (for reload tests). */
  writeConfig(toml: string): void;
  close(opts?: { keepDir?: boolean }): Promise<void>;
}

export function captureLogger(lines: Array<Record<string, unknown>>): Logger {
  const push = (level: string) => (o: object | string, msg?: string) =>
    lines.push(typeof o === 'string' ? { level, msg: o } : { level, msg, ...(o as Record<string, unknown>) });
  return { info: push('info'), warn: push('warn'), error: push('error') };
}

export function tempDir(prefix = 'llmux-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestGateway(toml: string, opts: Partial<AppOptions> & { dir?: string } = {}): Promise<TestGateway> {
  const dir = opts.dir ?? tempDir();
  const configPath = join(dir, 'llmux.toml');
  writeFileSync(configPath, toml, { mode: 0o600 });
  const logs: Array<Record<string, unknown>> = [];
  const app = await startApp({ configPath, bind: '127.0.0.1:0', logger: captureLogger(logs), ...opts });
  return {
    app,
    url: app.url,
    dir,
    configPath,
    logs,
    writeConfig: (t) => writeFileSync(configPath, t, { mode: 0o600 }),
    async close(o = {}) {
      await app.close();
      if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_KEY = 'sk-test-0123456789abcdef';
export const TEST_ADMIN = 'sk-admin-0123456789abcdef';
