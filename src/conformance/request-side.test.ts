/**
 * Request-side conformance: what each provider kind receives from the gateway when the official
 * clients call it — URL and path style, credentials and protocol headers, and for Gemini the
 * request body compared with recorded requests Gemini accepted. Also /v1/messages/count_tokens:
 * the provider's own count where it has one, a marked estimate elsewhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { readFixtureJson } from '../testing/fixtures.js';
import { json } from '../testing/mock-upstream.js';
import { collect } from './check-openai.js';
import { AZURE_API_VERSION, BEDROCK_REGION, cell, MODEL, SECRET, startConformance, type Conformance } from './harness.js';
import { replay } from './replay.js';

let c: Conformance;
before(async () => {
  c = await startConformance();
});
after(async () => {
  await c.close();
});

type Obj = Record<string, unknown>;
const body = (): Obj => JSON.parse(c.last().body.toString('utf8')) as Obj;
const header = (name: string): string | undefined => {
  const v = c.last().headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** Gemini accepts snake_case and camelCase field names alike; the recordings use snake_case. */
function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase()), camelKeys(x)]));
}

/** The weather tool of the recorded Gemini requests, as an OpenAI client declares it. */
const WEATHER_PARAMS = {
  type: 'object',
  properties: {
    location: { type: 'string', description: '都市名。例: Tokyo, San Francisco' },
    unit: { type: 'string', description: '温度単位: celsius or fahrenheit', enum: ['celsius', 'fahrenheit'] },
  },
  required: ['location'],
};
const WEATHER_DESCRIPTION = '指定された都市の現在の天気を取得する';
const OPENAI_TOOLS = [{ type: 'function' as const, function: { name: 'getWeather', description: WEATHER_DESCRIPTION, parameters: WEATHER_PARAMS } }];
const ANTHROPIC_TOOLS = [{ name: 'getWeather', description: WEATHER_DESCRIPTION, input_schema: WEATHER_PARAMS as { type: 'object'; [k: string]: unknown } }];
const ASK = '今日の東京の天気を教えて';
const WEATHER_RESULT = { location: 'Tokyo', unit: 'celsius', temperature: 22, condition: 'Cloudy' };

interface GeminiRequestShape {
  contents: Array<{ role: string; parts: Obj[] }>;
  tools: Obj[];
}

describe('Gemini requests', () => {
  const first = camelKeys(readFixtureJson('gemini/streamGenerateContent-sse-raw-functionCall.request.json')) as GeminiRequestShape;
  const second = camelKeys(readFixtureJson('gemini/streamGenerateContent-sse-raw-after-functionResponse.request.json')) as GeminiRequestShape;

  function assertSecondTurn(sent: GeminiRequestShape): void {
    assert.equal(sent.contents.length, 3);
    assert.deepEqual(sent.contents[0], second.contents[0]);
    assert.deepEqual(sent.contents[1], second.contents[1], 'the model turn carries the functionCall with its args object');
    assert.deepEqual(sent.contents[2]?.parts, second.contents[2]?.parts, 'the tool result is a name-matched functionResponse');
    // The recording's 'tool' role is not in Gemini's documented set; user is, and is what the gateway sends.
    assert.ok(['user', 'function'].includes(sent.contents[2]!.role), sent.contents[2]!.role);
    assert.deepEqual(sent.tools, second.tools);
  }

  it(`${cell('openai-chat', 'gemini')} a streamed call with a tool: URL, key header, body as the recorded request`, async () => {
    c.up.handle(replay('gemini/streamGenerateContent-sse-raw-functionCall.sse.txt'));
    await collect(await c.openai.chat.completions.create({ model: MODEL.gemini, messages: [{ role: 'user', content: ASK }], tools: OPENAI_TOOLS, stream: true }));
    assert.equal(c.last().path, `/v1beta/models/${MODEL.gemini}:streamGenerateContent?alt=sse`);
    assert.equal(header('x-goog-api-key'), SECRET.gemini);
    assert.equal(header('authorization'), undefined);
    assert.deepEqual(body(), first, 'contents and tools (upper-case OpenAPI types, enum) as Gemini accepted them');
  });

  it(`${cell('openai-chat', 'gemini')} the turn after a tool result: functionCall, then functionResponse, as recorded`, async () => {
    c.up.handle(replay('gemini/streamGenerateContent-sse-raw-after-functionResponse.sse.txt'));
    await collect(
      await c.openai.chat.completions.create({
        model: MODEL.gemini,
        stream: true,
        tools: OPENAI_TOOLS,
        messages: [
          { role: 'user', content: ASK },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'getWeather', arguments: JSON.stringify({ location: 'Tokyo', unit: 'celsius' }) } }] },
          { role: 'tool', tool_call_id: 'call_1', content: JSON.stringify(WEATHER_RESULT) },
        ],
      }),
    );
    assertSecondTurn(body() as unknown as GeminiRequestShape);
  });

  it(`${cell('openai-chat', 'gemini')} a non-streamed call goes to :generateContent`, async () => {
    c.up.handle(replay('gemini/generateContent-text.json'));
    await c.openai.chat.completions.create({ model: MODEL.gemini, messages: [{ role: 'user', content: 'How many r in strawberry?' }] });
    assert.equal(c.last().path, `/v1beta/models/${MODEL.gemini}:generateContent`);
  });

  it(`${cell('anthropic-messages', 'gemini')} Anthropic tools and a tool_result turn: the same recorded Gemini request`, async () => {
    c.up.handle(replay('gemini/streamGenerateContent-sse-raw-after-functionResponse.sse.txt'));
    await c.anthropic.messages
      .stream({
        model: MODEL.gemini,
        max_tokens: 1024,
        tools: ANTHROPIC_TOOLS,
        messages: [
          { role: 'user', content: ASK },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'getWeather', input: { location: 'Tokyo', unit: 'celsius' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: JSON.stringify(WEATHER_RESULT) }] },
        ],
      })
      .finalMessage();
    assert.equal(c.last().path, `/v1beta/models/${MODEL.gemini}:streamGenerateContent?alt=sse`);
    assert.equal(header('x-goog-api-key'), SECRET.gemini);
    const sent = body() as unknown as GeminiRequestShape & { generationConfig?: { maxOutputTokens?: number } };
    assertSecondTurn(sent);
    assert.equal(sent.generationConfig?.maxOutputTokens, 1024, 'max_tokens becomes maxOutputTokens');
  });
});

describe('Bedrock requests', () => {
  const ENCODED = encodeURIComponent(MODEL.bedrock);

  /** Recomputes the SigV4 signature from what the mock received, as AWS does on its side. */
  async function assertValidSignature(): Promise<void> {
    const r = c.last();
    const auth = header('authorization') ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
    assert.ok(m, `authorization: ${auth}`);
    assert.deepEqual([m[1], m[3], m[4]], [SECRET.bedrockAccess, BEDROCK_REGION, 'bedrock']);
    const signed = m[5]!.split(';');
    assert.ok(signed.includes('host') && signed.includes('x-amz-date'), 'host and date are signed');
    const amzDate = header('x-amz-date')!;
    const date = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const url = new URL(`http://${header('host')}${r.path}`);
    const headers = Object.fromEntries(signed.map((h) => [h, header(h) ?? '']));
    const signer = new SignatureV4({ service: 'bedrock', region: BEDROCK_REGION, sha256: Sha256, uriEscapePath: true, credentials: { accessKeyId: SECRET.bedrockAccess, secretAccessKey: SECRET.bedrockSecret } });
    const expected = await signer.sign(
      { method: r.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers, body: r.body.toString('utf8') },
      { signingDate: date },
    );
    assert.equal(expected.headers['authorization'], auth, 'the signature matches the request as received');
  }

  it(`${cell('openai-chat', 'bedrock')} converse: the model id's ':' encoded in one path segment, SigV4 valid for what arrived`, async () => {
    c.up.handle(replay('bedrock/converse-nonstream-text.json'));
    await c.openai.chat.completions.create({ model: MODEL.bedrock, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'How many r in strawberry?' }] });
    assert.equal(c.last().path, `/model/${ENCODED}/converse`);
    assert.ok(ENCODED.includes('%3A'));
    assert.ok(header('authorization')?.startsWith('AWS4-HMAC-SHA256 '));
    await assertValidSignature();
    const sent = body();
    assert.deepEqual(sent['system'], [{ text: 'Be brief.' }]);
    assert.deepEqual(sent['messages'], [{ role: 'user', content: [{ text: 'How many r in strawberry?' }] }]);
  });

  it(`${cell('anthropic-messages', 'bedrock')} converse-stream from an Anthropic client: path, signature, toolConfig`, async () => {
    c.up.handle(replay('bedrock/converse-stream-multi-tool.frames.b64'));
    await c.anthropic.messages.stream({ model: MODEL.bedrock, max_tokens: 512, tools: ANTHROPIC_TOOLS, messages: [{ role: 'user', content: ASK }] }).finalMessage();
    assert.equal(c.last().path, `/model/${ENCODED}/converse-stream`);
    await assertValidSignature();
    const sent = body() as { inferenceConfig?: { maxTokens?: number }; toolConfig?: { tools: Array<{ toolSpec: { name: string; inputSchema: { json: unknown } } }> } };
    assert.equal(sent.inferenceConfig?.maxTokens, 512);
    assert.equal(sent.toolConfig?.tools[0]?.toolSpec.name, 'getWeather');
    assert.deepEqual(sent.toolConfig?.tools[0]?.toolSpec.inputSchema.json, WEATHER_PARAMS);
  });
});

describe('Anthropic requests', () => {
  it(`${cell('anthropic-messages', 'anthropic')} passthrough: x-api-key, anthropic-version, the client's anthropic-beta forwarded, body untouched`, async () => {
    c.up.handle(replay('anthropic/messages-nonstream-text.json'));
    const params = { model: MODEL.anthropic, max_tokens: 300, messages: [{ role: 'user' as const, content: 'Hello' }] };
    await c.anthropic.messages.create(params, { headers: { 'anthropic-beta': 'context-management-2025-06-27' } });
    assert.equal(c.last().path, '/v1/messages');
    assert.equal(header('x-api-key'), SECRET.anthropic);
    assert.equal(header('anthropic-version'), '2023-06-01');
    assert.equal(header('anthropic-beta'), 'context-management-2025-06-27');
    assert.deepEqual(body(), params);
  });

  it(`${cell('openai-chat', 'anthropic')} translated: system gathered, max_tokens set, the client's anthropic-beta forwarded`, async () => {
    c.up.handle(replay('anthropic/messages-nonstream-text.json'));
    await c.openai.chat.completions.create(
      { model: MODEL.anthropic, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }], tools: OPENAI_TOOLS },
      { headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' } },
    );
    assert.equal(c.last().path, '/v1/messages');
    assert.equal(header('x-api-key'), SECRET.anthropic);
    assert.equal(header('anthropic-version'), '2023-06-01');
    assert.equal(header('anthropic-beta'), 'token-efficient-tools-2025-02-19');
    assert.equal(header('authorization'), undefined, 'the client key is not forwarded');
    const sent = body();
    assert.deepEqual(sent['system'], [{ type: 'text', text: 'Be brief.' }]);
    assert.deepEqual(sent['messages'], [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
    assert.equal(typeof sent['max_tokens'], 'number');
    assert.deepEqual(sent['tools'], [{ name: 'getWeather', description: WEATHER_DESCRIPTION, input_schema: WEATHER_PARAMS }]);
  });
});

describe('OpenAI-compatible requests', () => {
  const azurePath = `/openai/deployments/${MODEL.azure}/chat/completions?api-version=${AZURE_API_VERSION}`;

  it(`${cell('openai-chat', 'azure')} deployment URL with api-version, api-key header, no bearer`, async () => {
    c.up.handle(replay('azure/chat-nonstream-content-filter.json'));
    await c.openai.chat.completions.create({ model: MODEL.azure, messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(c.last().path, azurePath);
    assert.equal(header('api-key'), SECRET.azure);
    assert.equal(header('authorization'), undefined);
  });

  it(`${cell('anthropic-messages', 'azure')} the same from an Anthropic client, with include_usage asked on streams`, async () => {
    c.up.handle(replay('azure/chat-stream-content-filter-results.jsonl'));
    await c.anthropic.messages.stream({ model: MODEL.azure, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Capital of France?' }] }).finalMessage();
    assert.equal(c.last().path, azurePath);
    assert.equal(header('api-key'), SECRET.azure);
    const sent = body();
    assert.deepEqual(sent['stream_options'], { include_usage: true });
    assert.equal(sent['model'], MODEL.azure);
    assert.deepEqual((sent['messages'] as Obj[]).map((m) => m['role']), ['system', 'user']);
  });

  it(`${cell('openai-chat', 'openai')} bearer key of the provider, /v1/chat/completions`, async () => {
    c.up.handle(replay('openai/chat-nonstream-text.json'));
    await c.openai.chat.completions.create({ model: MODEL.openai, messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(c.last().path, '/v1/chat/completions');
    assert.equal(header('authorization'), `Bearer ${SECRET.openai}`);
  });

  it(`${cell('anthropic-messages', 'openai')} an Anthropic request becomes a chat completion request`, async () => {
    c.up.handle(replay('openai/chat-nonstream-tool_calls.json'));
    await c.anthropic.messages.create({ model: MODEL.openai, max_tokens: 200, tools: ANTHROPIC_TOOLS, messages: [{ role: 'user', content: 'Weather in Shanghai?' }] });
    assert.equal(c.last().path, '/v1/chat/completions');
    assert.equal(header('authorization'), `Bearer ${SECRET.openai}`);
    const sent = body();
    assert.deepEqual(sent['tools'], OPENAI_TOOLS);
    assert.deepEqual(sent['messages'], [{ role: 'user', content: 'Weather in Shanghai?' }]);
  });

  it(`${cell('openai-chat', 'ollama')} no key configured: no authorization header at all`, async () => {
    c.up.handle(replay('ollama/openai-compat-chat-nonstream.json'));
    await c.openai.chat.completions.create({ model: MODEL.ollama, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 20 });
    assert.equal(c.last().path, '/v1/chat/completions');
    assert.equal(header('authorization'), undefined);
    assert.equal(body()['max_tokens'], 20);
  });

  it(`${cell('anthropic-messages', 'ollama')} an Anthropic request to Ollama: chat completions, no key`, async () => {
    c.up.handle(replay('ollama/openai-compat-chat-nonstream.json'));
    await c.anthropic.messages.create({ model: MODEL.ollama, max_tokens: 20, messages: [{ role: 'user', content: 'Say hello.' }] });
    assert.equal(c.last().path, '/v1/chat/completions');
    assert.equal(header('authorization'), undefined);
    assert.equal(body()['model'], MODEL.ollama);
  });
});

describe('count_tokens', () => {
  const params = { messages: [{ role: 'user' as const, content: 'How many tokens is this sentence, roughly?' }], system: 'Count carefully.' };

  it(`${cell('anthropic-messages', 'anthropic')} exact: the provider's own count reaches the client`, async () => {
    c.up.handle((_req, res) => json(res, 200, { input_tokens: 1234 }));
    const before = c.up.requests.length;
    const { data, response } = await c.anthropic.messages.countTokens({ model: MODEL.anthropic, ...params }).withResponse();
    assert.equal(data.input_tokens, 1234);
    assert.equal(response.headers.get('x-llmux-token-count'), null, 'an exact count is not marked as an estimate');
    assert.equal(c.up.requests.length, before + 1);
    assert.equal(c.last().path, '/v1/messages/count_tokens');
    assert.equal(header('x-api-key'), SECRET.anthropic);
    assert.deepEqual(body(), { model: MODEL.anthropic, ...params });
  });

  for (const provider of ['openai', 'azure', 'ollama', 'gemini', 'bedrock'] as const) {
    it(`${cell('anthropic-messages', provider)} count_tokens is an estimate marked x-llmux-token-count: estimate, without an upstream call`, async () => {
      const before = c.up.requests.length;
      const { data, response } = await c.anthropic.messages.countTokens({ model: MODEL[provider], ...params }).withResponse();
      assert.equal(response.headers.get('x-llmux-token-count'), 'estimate');
      assert.ok(Number.isInteger(data.input_tokens) && data.input_tokens > 0, String(data.input_tokens));
      assert.equal(c.up.requests.length, before, 'the provider is not called');
    });
  }
});
