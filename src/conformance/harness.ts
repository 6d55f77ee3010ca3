/**
 * One real gateway in front of one mock upstream that plays every provider kind: each kind is
 * configured with its base URL pointing at the mock (in the path style that kind uses), its own
 * model and its own credentials, so a test picks the provider by model name and reads back
 * exactly what the gateway sent. Both official SDKs are the clients.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startTestGateway, TEST_KEY, type TestGateway } from '../testing/gateway.js';
import { startMockUpstream, type MockUpstream, type Recorded } from '../testing/mock-upstream.js';

export type ProviderKind = 'openai' | 'azure' | 'ollama' | 'anthropic' | 'gemini' | 'bedrock';
export type ClientProtocol = 'openai-chat' | 'anthropic-messages';

/** The model each provider kind serves in the conformance config (realistic ids: Bedrock's holds a ':'). */
export const MODEL: Record<ProviderKind, string> = {
  openai: 'gpt-4o-2024-08-06',
  azure: 'gpt-4o-deployment',
  ollama: 'qwen3:32b',
  anthropic: 'claude-sonnet-4-5-20250929',
  gemini: 'gemini-2.5-flash',
  bedrock: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
};

/** Upstream secrets, so tests can check each is sent the way its provider expects. */
export const SECRET = {
  openai: 'sk-upstream-openai-0123',
  azure: 'azure-upstream-key-4567',
  anthropic: 'sk-ant-upstream-89ab',
  gemini: 'gemini-upstream-key-cdef',
  bedrockAccess: 'AKIDEXAMPLECONFORMANCE',
  bedrockSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;

export const AZURE_API_VERSION = '2024-10-21';
export const BEDROCK_REGION = 'us-east-1';

export function conformanceConfig(upUrl: string): string {
  return `
[[keys]]
name = "conformance"
key = "${TEST_KEY}"
models = ["*"]

[providers.oai]
kind = "openai"
api_key = "${SECRET.openai}"
base_url = "${upUrl}/v1"
models = ["${MODEL.openai}"]
max_retries = 0

[providers.az]
kind = "azure"
api_key = "${SECRET.azure}"
base_url = "${upUrl}"
api_version = "${AZURE_API_VERSION}"
models = ["${MODEL.azure}"]
max_retries = 0

[providers.local]
kind = "ollama"
base_url = "${upUrl}/v1"
models = ["${MODEL.ollama}"]
max_retries = 0

[providers.claude]
kind = "anthropic"
api_key = "${SECRET.anthropic}"
base_url = "${upUrl}/v1"
models = ["${MODEL.anthropic}"]
max_retries = 0

[providers.gem]
kind = "google"
api_key = "${SECRET.gemini}"
base_url = "${upUrl}/v1beta"
models = ["${MODEL.gemini}"]
max_retries = 0

[providers.aws]
kind = "bedrock"
region = "${BEDROCK_REGION}"
access_key = "${SECRET.bedrockAccess}"
secret_key = "${SECRET.bedrockSecret}"
base_url = "${upUrl}"
models = ["${MODEL.bedrock}"]
max_retries = 0
`;
}

export interface Conformance {
  up: MockUpstream;
  gw: TestGateway;
  openai: OpenAI;
  anthropic: Anthropic;
  /** The request the mock received last. */
  last(): Recorded;
  close(): Promise<void>;
}

export async function startConformance(): Promise<Conformance> {
  const up = await startMockUpstream();
  const gw = await startTestGateway(conformanceConfig(up.url));
  // Bounded: no client retries, and a timeout well above any replay's duration.
  const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: TEST_KEY, maxRetries: 0, timeout: 10_000 });
  const anthropic = new Anthropic({ baseURL: gw.url, apiKey: TEST_KEY, maxRetries: 0, timeout: 10_000 });
  return {
    up,
    gw,
    openai,
    anthropic,
    last() {
      const r = up.requests.at(-1);
      if (!r) throw new Error('the mock upstream received no request');
      return r;
    },
    async close() {
      await gw.close();
      await up.close();
    },
  };
}

/** The matrix tag that scripts/conformance-matrix.mjs reads from a test name. */
export function cell(client: ClientProtocol, provider: ProviderKind): string {
  return `[matrix ${client} × ${provider}]`;
}
