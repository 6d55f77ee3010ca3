/**
 * Provider kinds: which wire protocol each speaks, its default base URL and what it requires.
 * Any kind not listed here is a custom OpenAI-compatible service and needs a base_url.
 */
import type { ProviderConfig } from './schema.js';

export type KindProtocol = 'openai-chat' | 'anthropic-messages' | 'gemini' | 'bedrock-converse';

export interface KindInfo {
  protocol: KindProtocol;
  /** Default base URL, or a function of the config (Bedrock's depends on the region). */
  defaultBaseUrl?: string | ((p: ProviderConfig) => string | undefined);
  /** True when `GET {base}/models` lists the models (OpenAI-compatible services). */
  discoverable: boolean;
}

export const KINDS: Record<string, KindInfo> = {
  openai: { protocol: 'openai-chat', defaultBaseUrl: 'https://api.openai.com/v1', discoverable: true },
  ollama: { protocol: 'openai-chat', defaultBaseUrl: 'http://localhost:11434/v1', discoverable: true },
  azure: { protocol: 'openai-chat', discoverable: false },
  anthropic: { protocol: 'anthropic-messages', defaultBaseUrl: 'https://api.anthropic.com/v1', discoverable: false },
  google: { protocol: 'gemini', defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta', discoverable: false },
  bedrock: {
    protocol: 'bedrock-converse',
    defaultBaseUrl: (p) => (p.region ? `https://bedrock-runtime.${p.region}.amazonaws.com` : undefined),
    discoverable: false,
  },
  /** Built-in simulated provider; its protocol is chosen by `simulator.protocol` (default openai). */
  simulator: { protocol: 'openai-chat', discoverable: true },
};

/** Accepted spellings of kinds: crabllm's legacy `standard`, and `gemini` for `google`. */
const KIND_ALIASES: Record<string, string> = { gemini: 'google', standard: 'openai' };

export function canonicalKind(kind: string): string {
  return KIND_ALIASES[kind] ?? kind;
}

/** A kind's info; unknown kinds are custom OpenAI-compatible services. */
export function kindInfo(kind: string): KindInfo & { custom: boolean } {
  const k = KINDS[canonicalKind(kind)];
  return k ? { ...k, custom: false } : { protocol: 'openai-chat', discoverable: true, custom: true };
}

/** The protocol a provider speaks; a simulator may speak any of them. */
export function providerProtocol(p: ProviderConfig): KindProtocol {
  if (canonicalKind(p.kind) === 'simulator') {
    const proto = p.simulator?.['protocol'];
    if (proto === 'anthropic') return 'anthropic-messages';
    if (proto === 'gemini' || proto === 'google') return 'gemini';
    if (proto === 'bedrock') return 'bedrock-converse';
    return 'openai-chat';
  }
  return kindInfo(p.kind).protocol;
}

const SUFFIXES = ['/chat/completions', '/completions', '/embeddings', '/audio/transcriptions', '/audio/speech', '/images/generations', '/messages', '/models'];

/** Removes trailing slashes and a pasted endpoint suffix from a base URL. */
export function normaliseBaseUrl(url: string): string {
  let u = url.trim().replace(/\/+$/, '');
  for (const s of SUFFIXES) {
    if (u.endsWith(s)) {
      u = u.slice(0, -s.length).replace(/\/+$/, '');
      break;
    }
  }
  return u;
}

/** The base URL a provider is called at, or undefined when it cannot be known. */
export function effectiveBaseUrl(p: ProviderConfig): string | undefined {
  if (p.base_url) return normaliseBaseUrl(p.base_url);
  const d = kindInfo(p.kind).defaultBaseUrl;
  return typeof d === 'function' ? d(p) : d;
}

/** What a provider config lacks for its kind, as messages naming the field; empty when valid. */
export function providerProblems(p: ProviderConfig): string[] {
  const problems: string[] = [];
  const kind = canonicalKind(p.kind);
  const info = kindInfo(kind);
  if (kind === 'simulator') return problems;
  if (info.custom && !p.base_url) problems.push(`base_url: required for the custom OpenAI-compatible kind "${p.kind}"`);
  if (kind === 'azure') {
    if (!p.base_url) problems.push('base_url: required for azure (https://<resource>.openai.azure.com)');
    if (!p.api_key) problems.push('api_key: required for azure');
  }
  if ((kind === 'anthropic' || kind === 'google') && !p.api_key) problems.push(`api_key: required for ${kind}`);
  if (kind === 'bedrock') {
    if (!p.region && !p.base_url) problems.push('region: required for bedrock');
    // Either SigV4 credentials, or a Bedrock API key (sent as a Bearer token).
    if (!p.api_key) {
      if (!p.access_key) problems.push('access_key: required for bedrock (or api_key, a Bedrock API key)');
      if (!p.secret_key) problems.push('secret_key: required for bedrock (or api_key, a Bedrock API key)');
    }
  }
  if (p.base_url) {
    try {
      const u = new URL(normaliseBaseUrl(p.base_url));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`base_url: expected an http(s) URL, got "${p.base_url}"`);
    } catch {
      problems.push(`base_url: not a valid URL: "${p.base_url}"`);
    }
  }
  return problems;
}
