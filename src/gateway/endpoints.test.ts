/**
 * End to end: embeddings, images, speech, multipart transcriptions, legacy completions, and the
 * model list with key ACLs — real gateway, mock OpenAI-compatible upstream, the openai client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { readFixtureText } from '../testing/fixtures.js';
import { startTestGateway, TEST_ADMIN, TEST_KEY, type TestGateway } from '../testing/gateway.js';
import { json, requestJson, startMockUpstream, type MockUpstream } from '../testing/mock-upstream.js';

let up: MockUpstream;
let gw: TestGateway;
let client: OpenAI;
const LIMITED_KEY = 'sk-limited-0123456789abcdef';

before(async () => {
  up = await startMockUpstream((req, res) => {
    if (req.path.startsWith('/v1/embeddings')) {
      const body = requestJson(req);
      const dims = typeof body['dimensions'] === 'number' ? body['dimensions'] : 4;
      const vec = Array.from({ length: dims }, (_, i) => (i + 1) / 10);
      const embedding = body['encoding_format'] === 'base64' ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec;
      return json(res, 200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding }], model: body['model'], usage: { prompt_tokens: 3, total_tokens: 3 } });
    }
    if (req.path.startsWith('/v1/images/generations')) return json(res, 200, readFixtureText('openai/images-generations-b64.json'));
    if (req.path.startsWith('/v1/audio/speech')) {
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      return res.end(Buffer.from([0xff, 0xfb, 0x90, 0x00, 1, 2, 3, 4]));
    }
    if (req.path.startsWith('/v1/audio/transcriptions')) return json(res, 200, readFixtureText('openai/audio-transcriptions-verbose.json'));
    if (req.path.startsWith('/v1/completions')) {
      return json(res, 200, { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'txt', choices: [{ text: ' world', index: 0, logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    }
    json(res, 404, { error: { message: `mock has no ${req.path}` } });
  });
  gw = await startTestGateway(`
admin_token = "${TEST_ADMIN}"
aliases = { whisper = "whisper-1", embed = "text-embedding-3-small" }

[[keys]]
name = "all"
key = "${TEST_KEY}"
models = ["*"]

[[keys]]
name = "limited"
key = "${LIMITED_KEY}"
models = ["text-embedding-*"]

[providers.oa]
base_url = "${up.url}/v1/"
models = ["text-embedding-3-small", "dall-e-3", "tts-1", "whisper-1", "txt"]

[models."text-embedding-3-small"]
context_length = 8191
pricing = { prompt_cost_per_million = 0.02, completion_cost_per_million = 0 }
`);
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: TEST_KEY, maxRetries: 0 });
});

after(async () => {
  await gw.close();
  await up.close();
});

describe('OpenAI endpoints besides chat', () => {
  it('embeddings: dimensions and encoding_format reach the upstream; the client decodes base64', async () => {
    const before = up.requests.length;
    const r = await client.embeddings.create({ model: 'embed', input: 'hello', dimensions: 3 });
    const sent = requestJson(up.requests[before]!);
    assert.equal(sent['model'], 'text-embedding-3-small', 'alias rewritten');
    assert.equal(sent['dimensions'], 3);
    assert.equal(sent['encoding_format'], 'base64', 'the openai client asks for base64 and the gateway keeps it');
    assert.deepEqual(r.data[0]?.embedding.map((x) => Math.round(x * 10) / 10), [0.1, 0.2, 0.3]);
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a'], encoding_format: 'float' });
    assert.equal(floats.data[0]?.embedding.length, 4);
  });

  it('image generation passes the response through', async () => {
    const r = await client.images.generate({ model: 'dall-e-3', prompt: 'a cat', response_format: 'b64_json' });
    assert.ok((r.data?.[0]?.b64_json ?? '').length > 10);
  });

  it('speech returns the audio bytes and content type', async () => {
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' });
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0xff, 0xfb, 0x90, 0x00, 1, 2, 3, 4]);
  });

  it('transcriptions stream a multipart upload through, with an alias rewritten', async () => {
    const audio = Buffer.alloc(300_000, 7);
    const before = up.requests.length;
    const r = await client.audio.transcriptions.create({ model: 'whisper', file: await toFile(audio, 'a.mp3', { type: 'audio/mpeg' }), response_format: 'verbose_json' });
    assert.equal(typeof r.text, 'string');
    const sent = up.requests[before]!;
    const text = sent.body.toString('latin1');
    assert.match(text, /name="model"\r\n\r\nwhisper-1\r\n/);
    assert.ok(sent.body.includes(audio), 'the file bytes arrive intact');
    assert.equal(Number(sent.headers['content-length'] ?? sent.body.length), sent.body.length);
  });

  it('legacy completions', async () => {
    const r = await client.completions.create({ model: 'txt', prompt: 'hello' });
    assert.equal(r.choices[0]?.text, ' world');
  });

  it('a model served only by a non-OpenAI kind answers a clear 400 for embeddings', async () => {
    const g2 = await startTestGateway(`[providers.claude]\nkind = "anthropic"\napi_key = "x"\nmodels = ["claude-x"]\n`);
    try {
      const res = await fetch(`${g2.url}/v1/embeddings`, { method: 'POST', body: '{"model":"claude-x","input":"a"}' });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /cannot use for embeddings/);
    } finally {
      await g2.close();
    }
  });
});

describe('models and the key ACL', () => {
  it('lists every model and alias, with metadata', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    assert.deepEqual(ids, ['dall-e-3', 'embed', 'text-embedding-3-small', 'tts-1', 'txt', 'whisper', 'whisper-1']);
    const emb = list.data.find((m) => m.id === 'text-embedding-3-small') as unknown as Record<string, unknown>;
    assert.equal(emb['context_length'], 8191);
    const one = await client.models.retrieve('tts-1');
    assert.equal(one.id, 'tts-1');
  });

  it('a limited key sees only its models and gets 403 for the others', async () => {
    const limited = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: LIMITED_KEY, maxRetries: 0 });
    const ids = (await limited.models.list()).data.map((m) => m.id);
    assert.deepEqual(ids, ['embed', 'text-embedding-3-small'], 'an alias of an allowed model is allowed');
    await assert.rejects(limited.models.retrieve('tts-1'), (e: unknown) => (e as { status: number }).status === 404);
    await assert.rejects(limited.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'x' }), (e: unknown) => {
      const err = e as { status: number; code: string; type: string };
      return err.status === 403 && err.code === 'LLMUX_ERR_MODEL_FORBIDDEN';
    });
    const ok = await limited.embeddings.create({ model: 'embed', input: 'a', encoding_format: 'float' });
    assert.equal(ok.data.length, 1);
  });

  it("Anthropic clients get Anthropic's model list shape", async () => {
    const res = await fetch(`${gw.url}/v1/models`, { headers: { 'x-api-key': TEST_KEY, 'anthropic-version': '2023-06-01' } });
    const body = (await res.json()) as { data: Array<{ type: string; id: string }>; has_more: boolean };
    assert.equal(body.has_more, false);
    assert.equal(body.data[0]?.type, 'model');
  });
});
