/**
 * Peer gateways, installed on demand into bench/peers/node_modules from the manifest beside it
 * (bench/peers/package.json), never into the project's own dependencies. The peers that cannot be
 * had from npm on this kind of machine are listed with the reason, so the report says why they are
 * missing instead of leaving them out silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PeerStatus {
  name: string;
  version?: string;
  status: 'measured' | 'unavailable' | 'failed' | 'not selected';
  reason?: string;
}

const PORTKEY_ENTRY = 'bench/peers/node_modules/@portkey-ai/gateway/build/start-server.js';

/** The Portkey gateway's start script, when installed. */
export function portkeyEntry(root: string): string | undefined {
  const p = join(root, PORTKEY_ENTRY);
  return existsSync(p) ? p : undefined;
}

export function portkeyVersion(root: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, 'bench/peers/node_modules/@portkey-ai/gateway/package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Installs the peers listed in bench/peers/package.json unless they are there already. Scripts are
 * not run: the peers need no build step, and a peer's install script has no business on a
 * benchmark machine. Returns an error text, or undefined on success.
 */
export function installPeers(root: string, log: (s: string) => void): string | undefined {
  if (portkeyEntry(root)) return undefined;
  log('bench: installing peer gateways into bench/peers/node_modules (npm install, once)…');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: join(root, 'bench/peers'),
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.error) return r.error.message;
  if (r.status !== 0) return (r.stderr || r.stdout || `npm exited ${r.status}`).trim().split('\n').slice(-3).join(' ');
  return portkeyEntry(root) ? undefined : 'npm install finished but the Portkey gateway is not where expected';
}

/** Peers that could not be measured here, and why (the docs repeat these). */
export const UNAVAILABLE_PEERS: readonly PeerStatus[] = [
  {
    name: 'LiteLLM proxy',
    status: 'unavailable',
    reason: 'a Python package (PyPI) with a large dependency tree, usually run from its Docker image; this machine reaches npm and Debian packages only, so it cannot be installed',
  },
  {
    name: 'Bifrost',
    status: 'unavailable',
    reason: 'a Go binary; its npm package (@maximhq/bifrost) is only a launcher that downloads the binary from the vendor’s own server at first run, which is unreachable here (no Docker either)',
  },
];
