/**
 * Conformance through the real gateway with the official `openai` client on
 * `/v1/chat/completions`: every recorded chat transcript of every provider kind is replayed by
 * the mock upstream in the provider's own framing, and what the client gets is compared with
 * what the transcript says (text, tool calls, finish reason, usage, chunk order, errors).
 * Test names carry the matrix cell they prove (see scripts/conformance-matrix.mjs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { readFixtureJson } from '../testing/fixtures.js';
import { assertOpenAIOrder, collect, summarise, type Chunk } from './check-openai.js';
import { cell, MODEL, startConformance, type Conformance, type ProviderKind } from './harness.js';
import { bedrockFrame, joinWire, replay, sendWire, wireBody } from './replay.js';
import { bedrockTextThenThrottle, geminiTextThenError, MID_STREAM_TEXT } from './mid-stream.js';
import { anthropicFacts, bedrockFacts, geminiFacts, openaiFacts, streamPayloads } from './transcripts.js';

let c: Conformance;
before(async () => {
  c = await startConformance();
});
after(async () => {
  await c.close();
});

const USER = [{ role: 'user' as const, content: 'Hello' }];
const tag = (p: ProviderKind): string => cell('openai-chat', p);

async function stream(model: string, includeUsage: boolean): Promise<Chunk[]> {
  const s = await c.openai.chat.completions.create({ model, messages: USER, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
  return collect(s);
}

function complete(model: string): Promise<OpenAI.Chat.Completions.ChatCompletion> {
  return c.openai.chat.completions.create({ model, messages: USER });
}

/** Runs a stream that must fail mid-way: the chunks received before the error, and the error. */
async function streamUntilError(model: string): Promise<{ chunks: Chunk[]; error: Error }> {
  const chunks: Chunk[] = [];
  const s = await c.openai.chat.completions.create({ model, messages: USER, stream: true });
  try {
    for await (const ch of s) chunks.push(ch);
  } catch (e) {
    return { chunks, error: e as Error };
  }
  assert.fail(`the stream ended cleanly after ${chunks.length} chunks instead of raising an error`);
}

function reasoningOf(m: OpenAI.Chat.Completions.ChatCompletionMessage): unknown {
  return (m as unknown as Record<string, unknown>)['reasoning_content'];
}

describe('OpenAI upstream (same protocol: bytes pass through)', () => {
  const M = MODEL.openai;

  it(`${tag('openai')} non-stream text: content, stop, usage 16/363 with details`, async () => {
    c.up.handle(replay('openai/chat-nonstream-text.json'));
    const r = await complete(M);
    const f = openaiFacts('openai/chat-nonstream-text.json');
    assert.equal(r.choices[0]?.message.content, f.text);
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    assert.equal(r.usage?.prompt_tokens, 16);
    assert.equal(r.usage?.completion_tokens, 363);
    assert.equal(r.usage?.prompt_tokens_details?.cached_tokens, 0);
    assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, 0);
  });

  it(`${tag('openai')} non-stream tool call: id, name, arguments, tool_calls`, async () => {
    c.up.handle(replay('openai/chat-nonstream-tool_calls.json'));
    const r = await complete(M);
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.id, 'call_qOfTGgDrItLORNfC6VwUbyLL');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { location: 'Shanghai' });
    assert.equal(r.choices[0]?.message.content, null);
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens], [91, 14]);
  });

  it(`${tag('openai')} stream with include_usage: text, one finish, usage 17/10 last`, async () => {
    c.up.handle(replay('openai/chat-stream-include_usage-raw.sse.txt'));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: false });
    const s = summarise(chunks);
    assert.equal(s.text, openaiFacts('openai/chat-stream-include_usage-raw.sse.txt').text);
    assert.deepEqual(JSON.parse(s.text), { city: 'San Francisco', units: 'c' });
    assert.deepEqual(s.finishes, ['stop']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens, s.usage?.total_tokens], [17, 10, 27]);
  });

  it(`${tag('openai')} stream without include_usage: the usage chunk the gateway asked for is hidden`, async () => {
    c.up.handle(replay('openai/chat-stream-include_usage-raw.sse.txt'));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: false });
    assert.equal(summarise(chunks).text, '{"city":"San Francisco","units":"c"}');
  });

  it(`${tag('openai')} modern stream (usage:null on every chunk, obfuscation): cached and reasoning details on the usage chunk`, async () => {
    const rel = 'openai/chat-stream-include_usage.trimmed.jsonl';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: false });
    const s = summarise(chunks);
    assert.equal(s.text, openaiFacts(rel).text);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [16, 300]);
    assert.equal(s.usage?.prompt_tokens_details?.cached_tokens, 0);
    assert.equal(s.usage?.completion_tokens_details?.reasoning_tokens, 0);
  });

  it(`${tag('openai')} content starting with a blank line is kept byte for byte`, async () => {
    const rel = 'openai/chat-stream-leading-newline-content-raw.sse.txt';
    c.up.handle(replay(rel));
    const s = summarise(await stream(M, false));
    assert.ok(s.text.startsWith('\n\n{"'), JSON.stringify(s.text.slice(0, 8)));
    assert.equal(s.text, openaiFacts(rel).text);
  });

  it(`${tag('openai')} an upstream stream without usage gives the client no usage chunk`, async () => {
    const rel = 'openai/chat-stream-no-usage-raw.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: false });
    assert.equal(summarise(chunks).text, openaiFacts(rel).text);
  });

  it(`${tag('openai')} logprobs pass through: their tokens spell the content`, async () => {
    const rel = 'openai/chat-stream-content-logprobs-raw.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    const tokens = chunks.flatMap((ch) => ch.choices.flatMap((x) => x.logprobs?.content ?? [])).map((t) => t.token);
    assert.ok(tokens.length > 3);
    assert.equal(tokens.join(''), summarise(chunks).text);
    assert.equal(summarise(chunks).text, openaiFacts(rel).text);
  });

  it(`${tag('openai')} refusal stream: delta.refusal untouched, content stays empty`, async () => {
    const rel = 'openai/chat-stream-refusal-logprobs-raw.sse.txt';
    c.up.handle(replay(rel));
    const s = summarise(await stream(M, true));
    assert.equal(s.refusal, openaiFacts(rel).refusal);
    assert.equal(s.refusal, "I'm very sorry, but I can't assist with that request.");
    assert.equal(s.text, '');
    assert.deepEqual(s.finishes, ['stop']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [17, 13]);
  });

  it(`${tag('openai')} tool-call stream: id, name, fragments in order, usage 53/17`, async () => {
    const rel = 'openai/chat-stream-tool_calls-raw.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: false });
    const s = summarise(chunks);
    assert.equal(s.tools.length, 1);
    assert.equal(s.tools[0]?.id, 'call_O17Uplv4lJvD6DVdIvFFeRMw');
    assert.equal(s.tools[0]?.name, 'test-tool');
    assert.deepEqual(JSON.parse(s.tools[0]!.args), openaiFacts(rel).toolCalls[0]?.input);
    assert.deepEqual(JSON.parse(s.tools[0]!.args), { value: 'Sparkle Day' });
    assert.deepEqual(s.finishes, ['tool_calls']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [53, 17]);
  });

  it(`${tag('openai')} a 400 error keeps its status, message, param and code`, async () => {
    const rel = 'openai/error-max_tokens-unsupported.json';
    c.up.handle(replay(rel, { status: 400 }));
    const upstream = readFixtureJson<{ error: { message: string; param: string; code: string; type: string } }>(rel).error;
    await assert.rejects(c.openai.chat.completions.create({ model: M, messages: USER, max_tokens: 5 }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 400);
      assert.ok(e.message.includes(upstream.message), e.message);
      assert.equal(e.param, upstream.param);
      assert.equal(e.code, upstream.code);
      return true;
    });
  });

  it(`${tag('openai')} embeddings (float): vectors and usage as recorded`, async () => {
    const rel = 'openai/embeddings.json';
    c.up.handle(replay(rel));
    const r = await c.openai.embeddings.create({ model: M, input: ['sunny day at the beach', 'rainy day in the city'], encoding_format: 'float' });
    const rec = readFixtureJson<{ data: Array<{ embedding: number[] }>; usage: { prompt_tokens: number } }>(rel);
    assert.deepEqual(r.data.map((d) => d.embedding), rec.data.map((d) => d.embedding));
    assert.equal(r.usage.prompt_tokens, rec.usage.prompt_tokens);
  });

  it(`${tag('openai')} image generation: b64_json and revised_prompt as recorded`, async () => {
    const rel = 'openai/images-generations-b64.json';
    c.up.handle(replay(rel));
    const r = await c.openai.images.generate({ model: M, prompt: 'A baby sea otter', response_format: 'b64_json' });
    const rec = readFixtureJson<{ data: Array<{ b64_json: string; revised_prompt: string }> }>(rel);
    assert.equal(r.data?.[0]?.b64_json, rec.data[0]?.b64_json);
    assert.equal(r.data?.[0]?.revised_prompt, rec.data[0]?.revised_prompt);
  });

  it(`${tag('openai')} verbose transcription: text, duration and word timestamps as recorded`, async () => {
    const rel = 'openai/audio-transcriptions-verbose.json';
    c.up.handle(replay(rel));
    const file = await toFile(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), 'galileo.wav', { type: 'audio/wav' });
    const r = await c.openai.audio.transcriptions.create({ model: M, file, response_format: 'verbose_json', timestamp_granularities: ['word'] });
    const rec = readFixtureJson<{ text: string; duration: number; words: unknown[] }>(rel);
    assert.equal(r.text, rec.text);
    assert.equal(r.duration, rec.duration);
    assert.deepEqual(r.words, rec.words);
    assert.ok(c.last().headers['content-type']?.startsWith('multipart/form-data'), 'the upload is forwarded as multipart');
  });
});

describe('Azure OpenAI upstream (same protocol, deployment URL)', () => {
  const M = MODEL.azure;

  it(`${tag('azure')} non-stream with content filter results: parsed, and the filter results kept`, async () => {
    const rel = 'azure/chat-nonstream-content-filter.json';
    c.up.handle(replay(rel));
    const r = await complete(M);
    const rec = readFixtureJson<Record<string, unknown> & { choices: Array<Record<string, unknown>> }>(rel);
    assert.equal(r.choices[0]?.message.content, openaiFacts(rel).text);
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    const raw = r as unknown as Record<string, unknown> & { choices: Array<Record<string, unknown>> };
    assert.deepEqual(raw['prompt_filter_results'], rec['prompt_filter_results']);
    assert.deepEqual(raw.choices[0]?.['content_filter_results'], rec.choices[0]?.['content_filter_results']);
  });

  it(`${tag('azure')} stream opening with an empty prompt-filter chunk: the client parses every chunk`, async () => {
    const rel = 'azure/chat-stream-content-filter-raw.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: false });
    const s = summarise(chunks);
    assert.equal(s.text, 'Hello! I’m doing well, thank you for asking. How can I assist you today?');
    assert.equal(s.text, openaiFacts(rel).text);
    assert.deepEqual(s.finishes, ['stop']);
  });

  it(`${tag('azure')} model-router stream: usage with reasoning_tokens 64 reaches the client that asked`, async () => {
    const rel = 'azure/chat-stream-content-filter-results.jsonl';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: false });
    const s = summarise(chunks);
    assert.equal(s.text, openaiFacts(rel).text);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens, s.usage?.total_tokens], [15, 78, 93]);
    assert.equal(s.usage?.completion_tokens_details?.reasoning_tokens, 64);
  });
});

describe('Ollama upstream (same protocol, reasoning renamed)', () => {
  const M = MODEL.ollama;

  it(`${tag('ollama')} non-stream: reasoning becomes reasoning_content, empty content, length, usage 13/20`, async () => {
    const rel = 'ollama/openai-compat-chat-nonstream.json';
    c.up.handle(replay(rel));
    const r = await complete(M);
    const msg = r.choices[0]!.message;
    assert.equal(reasoningOf(msg), openaiFacts(rel).reasoning);
    assert.equal((msg as unknown as Record<string, unknown>)['reasoning'], undefined, 'the vendor key is not left beside it');
    assert.equal(msg.content, '');
    assert.equal(r.choices[0]?.finish_reason, 'length');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens, r.usage?.total_tokens], [13, 20, 33]);
  });

  it(`${tag('ollama')} parallel tool calls, each whole in one chunk: two calls with their ids and arguments`, async () => {
    const rel = 'ollama/openai-compat-chat-stream-parallel-tool_calls.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: false });
    const s = summarise(chunks);
    assert.deepEqual(
      s.tools.map((t) => ({ id: t.id, name: t.name, input: JSON.parse(t.args) as unknown })),
      openaiFacts(rel).toolCalls.map((t) => ({ id: t.id, name: t.name, input: t.input })),
    );
    assert.deepEqual(s.tools.map((t) => t.id), ['call_wteop8bt', 'call_rk2xye1l']);
    assert.deepEqual(s.finishes, ['tool_calls']);
  });

  it(`${tag('ollama')} reasoning stream: delta.reasoning arrives as reasoning_content, no text`, async () => {
    const rel = 'ollama/openai-compat-chat-stream-reasoning.partial.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: false, expectFinish: false });
    const s = summarise(chunks);
    assert.equal(s.reasoning, 'Okay, the');
    assert.equal(s.text, '');
    assert.ok(chunks.every((ch) => ch.choices.every((x) => !('reasoning' in x.delta))), 'no chunk keeps the vendor key');
  });
});

describe('Anthropic upstream (translated)', () => {
  const M = MODEL.anthropic;

  it(`${tag('anthropic')} docs basic stream: role first, text, ping ignored, stop, usage 25/15`, async () => {
    const rel = 'anthropic/docs-stream-basic.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    assert.equal(s.text, 'Hello!');
    assert.equal(s.text, anthropicFacts(rel).text);
    assert.equal(chunks.filter((ch) => ch.choices[0]?.delta.content).length, 2, 'one content chunk per text_delta');
    assert.deepEqual(s.finishes, ['stop']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens, s.usage?.total_tokens], [25, 15, 40]);
  });

  it(`${tag('anthropic')} the same stream without include_usage: no usage chunk`, async () => {
    c.up.handle(replay('anthropic/docs-stream-basic.sse.txt'));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: true });
  });

  it(`${tag('anthropic')} an error event after the 200 makes the client throw, not end cleanly`, async () => {
    c.up.handle(replay('anthropic/docs-stream-error-overloaded.sse.txt'));
    const { error } = await streamUntilError(M);
    assert.match(error.message, /Overloaded/);
  });

  it(`${tag('anthropic')} an error event mid-text: the text before it arrives, then the client throws`, async () => {
    const basic = wireBody('anthropic/docs-stream-basic.sse.txt');
    const cut = basic.body.toString('utf8').split('\n\n').slice(0, 5).join('\n\n') + '\n\n'; // start, block start, ping, 2 deltas
    c.up.handle((_req, res) => sendWire(res, joinWire([{ contentType: basic.contentType, body: Buffer.from(cut) }, wireBody('anthropic/docs-stream-error-overloaded.sse.txt')])));
    const { chunks, error } = await streamUntilError(M);
    assert.equal(summarise(chunks).text, 'Hello!');
    assert.equal(summarise(chunks).finishes.length, 0, 'no finish before the error');
    assert.match(error.message, /Overloaded/);
  });

  it(`${tag('anthropic')} docs thinking stream: reasoning apart from content, no usage needed`, async () => {
    const rel = 'anthropic/docs-stream-thinking.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: true });
    const s = summarise(chunks);
    const f = anthropicFacts(rel);
    assert.equal(s.text, '27 * 453 = 12,231');
    assert.equal(s.reasoning, f.reasoning);
    assert.deepEqual(s.finishes, ['stop']);
  });

  it(`${tag('anthropic')} docs tool_use stream: text, then tool call index 0 with the 8 fragments in order`, async () => {
    const rel = 'anthropic/docs-stream-tool_use-input_json_delta.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    assert.equal(s.text, "Okay, let's check the weather for San Francisco, CA:");
    assert.equal(s.tools.length, 1);
    const t = s.tools[0]!;
    assert.equal(t.index, 0, 'tool_call index 0 although the Anthropic block index is 1');
    assert.equal(t.id, 'toolu_01T1x1fJ34qAmk2tNTrN7Up6');
    assert.equal(t.name, 'get_weather');
    const fragments = streamPayloads(rel)
      .filter((e) => (e['delta'] as { type?: string } | undefined)?.type === 'input_json_delta')
      .map((e) => (e['delta'] as { partial_json: string }).partial_json)
      .filter((p) => p !== '');
    assert.deepEqual(t.fragments, fragments);
    assert.deepEqual(JSON.parse(t.args), { location: 'San Francisco, CA', unit: 'fahrenheit' });
    assert.deepEqual(s.finishes, ['tool_calls']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [472, 89]);
  });

  it(`${tag('anthropic')} non-stream text: stop, prompt = input + cache (12), completion 29`, async () => {
    const rel = 'anthropic/messages-nonstream-text.json';
    c.up.handle(replay(rel));
    const r = await complete(M);
    assert.equal(r.choices[0]?.message.content, anthropicFacts(rel).text);
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens, r.usage?.total_tokens], [12, 29, 41]);
    assert.equal(r.usage?.prompt_tokens_details?.cached_tokens, 0);
  });

  it(`${tag('anthropic')} non-stream text + tool_use with empty input: arguments '{}', tool_calls`, async () => {
    const rel = 'anthropic/messages-nonstream-text-and-tool_use-empty-input.json';
    c.up.handle(replay(rel));
    const r = await complete(M);
    const f = anthropicFacts(rel);
    assert.equal(r.choices[0]?.message.content, f.text);
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.id, 'toolu_01LRmxn9vGM1d2DZSDBowdZ1');
    assert.equal(call.function.name, 'updateIssueList');
    assert.deepEqual(JSON.parse(call.function.arguments), {});
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens], [602, 93]);
  });

  it(`${tag('anthropic')} non-stream tool_use only: content null, nested input preserved`, async () => {
    const rel = 'anthropic/messages-nonstream-tool_use.json';
    c.up.handle(replay(rel));
    const r = await complete(M);
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(r.choices[0]?.message.content, null);
    assert.equal(call.id, 'toolu_01Q9ExVZnzZj7E2QQYHYtNUa');
    assert.deepEqual(JSON.parse(call.function.arguments), anthropicFacts(rel).toolCalls[0]?.input);
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
  });

  it(`${tag('anthropic')} input_json_delta '' + large chunk + '}' concatenate to valid JSON`, async () => {
    const rel = 'anthropic/messages-stream-input_json_delta.jsonl';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    const f = anthropicFacts(rel);
    assert.equal(s.text, f.text);
    assert.equal(s.tools[0]?.id, 'toolu_01KFbKqPYSuAKujiL6mTfzYA');
    assert.deepEqual(JSON.parse(s.tools[0]!.args), f.toolCalls[0]?.input);
    assert.deepEqual(s.finishes, ['tool_calls']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [849, 47]);
  });

  it(`${tag('anthropic')} message_delta input_tokens (61) win over message_start's (43)`, async () => {
    c.up.handle(replay('anthropic/messages-stream-message_delta-input_tokens.jsonl'));
    const s = summarise(await stream(M, true));
    assert.equal(s.text, 'pong');
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [61, 2]);
  });

  it(`${tag('anthropic')} refusal with no content block: role chunk, then content_filter`, async () => {
    c.up.handle(replay('anthropic/messages-stream-refusal-no-content.jsonl'));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    assert.equal(s.text, '');
    assert.deepEqual(s.finishes, ['content_filter']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [18, 5]);
  });

  it(`${tag('anthropic')} pings and cache fields: text, cached_tokens 0, completion 30`, async () => {
    const rel = 'anthropic/messages-stream-text-ping.jsonl';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    assert.equal(s.text, anthropicFacts(rel).text);
    assert.equal(s.usage?.prompt_tokens_details?.cached_tokens, 0);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [12, 30]);
  });

  it(`${tag('anthropic')} a tool with no arguments streams arguments that parse to {}`, async () => {
    const rel = 'anthropic/messages-stream-text-then-tool_use-empty-input.jsonl';
    c.up.handle(replay(rel));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: true });
    const s = summarise(chunks);
    assert.equal(s.text, anthropicFacts(rel).text);
    assert.equal(s.tools[0]?.id, 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP');
    assert.equal(s.tools[0]?.name, 'updateIssueList');
    assert.deepEqual(JSON.parse(s.tools[0]!.args || '{}'), {});
    assert.deepEqual(s.finishes, ['tool_calls']);
  });

  it(`${tag('anthropic')} thinking with a signature: text is the only content, reasoning apart`, async () => {
    const rel = 'anthropic/messages-stream-thinking-signature.jsonl';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    const f = anthropicFacts(rel);
    assert.equal(s.text, '925 ÷ 5 = 185');
    assert.equal(s.reasoning, f.reasoning);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [69, 53]);
  });
});

describe('Gemini upstream (translated)', () => {
  const M = MODEL.gemini;

  it(`${tag('gemini')} 429 RESOURCE_EXHAUSTED: status 429 and Retry-After from RetryInfo (34.4s)`, async () => {
    c.up.handle(replay('gemini/error-429-RESOURCE_EXHAUSTED-retryinfo.json', { status: 429 }));
    await assert.rejects(complete(M), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError);
      assert.equal(e.status, 429);
      assert.match(e.message, /exceeded your current quota/);
      const ra = Number(e.headers?.get('retry-after'));
      assert.ok(ra >= 34 && ra <= 35, `retry-after ${ra}`);
      return true;
    });
  });

  it(`${tag('gemini')} non-stream functionCall: a synthesized id, arguments, tool_calls, thoughts counted`, async () => {
    const rel = 'gemini/generateContent-functionCall.json';
    c.up.handle(replay(rel));
    const r = await complete(M);
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.ok(call.id.length > 5, 'an id is synthesized');
    assert.equal(call.function.name, 'weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { location: 'San Francisco' });
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens, r.usage?.total_tokens], [29, 15 + 893, 937]);
    assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, 893);
  });

  it(`${tag('gemini')} non-stream text: completion counts thoughts (28+244), total 281 adds up`, async () => {
    const rel = 'gemini/generateContent-text.json';
    c.up.handle(replay(rel));
    const r = await complete(M);
    assert.equal(r.choices[0]?.message.content, geminiFacts(rel).text);
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens, r.usage?.total_tokens], [9, 272, 281]);
    assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, 244);
  });

  it(`${tag('gemini')} functionCall then STOP on an empty chunk: one tool call, tool_calls remembered`, async () => {
    const rel = 'gemini/streamGenerateContent-functionCall.jsonl';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    assert.equal(s.tools.length, 1);
    assert.equal(s.tools[0]?.name, 'weather');
    assert.deepEqual(JSON.parse(s.tools[0]!.args), geminiFacts(rel).toolCalls[0]?.input);
    assert.equal(s.text, '');
    assert.deepEqual(s.finishes, ['tool_calls']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [29, 15 + 45]);
  });

  it(`${tag('gemini')} cumulative usage across events is the last value, not a sum (15, not 19)`, async () => {
    const rel = 'gemini/streamGenerateContent-sse-raw-after-functionResponse.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    assert.equal(s.text, geminiFacts(rel).text);
    assert.equal(s.text, '今日の東京の天気は曇りで、気温は22度です。\n');
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens, s.usage?.total_tokens], [138, 15, 153]);
  });

  it(`${tag('gemini')} CRLF stream with a functionCall and finishMessage in one event`, async () => {
    const rel = 'gemini/streamGenerateContent-sse-raw-functionCall.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, false);
    assertOpenAIOrder(chunks, { includeUsage: false, translated: true });
    const s = summarise(chunks);
    assert.equal(s.tools[0]?.name, 'getWeather');
    assert.deepEqual(JSON.parse(s.tools[0]!.args), { location: 'Tokyo' });
    assert.deepEqual(s.finishes, ['tool_calls']);
  });

  it(`${tag('gemini')} multi-event text: finish once at the end, usage 4/(5947+2042)`, async () => {
    const rel = 'gemini/streamGenerateContent-sse-raw-multi-event.trimmed.sse.txt';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    assert.equal(s.text, geminiFacts(rel).text);
    assert.deepEqual(s.finishes, ['stop']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens, s.usage?.total_tokens], [4, 5947 + 2042, 7993]);
    assert.equal(s.usage?.completion_tokens_details?.reasoning_tokens, 2042);
  });

  it(`${tag('gemini')} single CRLF event cut into 3-byte pieces: text, stop, usage 8/30/38`, async () => {
    const rel = 'gemini/streamGenerateContent-sse-raw-text.sse.txt';
    c.up.handle(replay(rel, { pieceBytes: 3 }));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    assert.equal(s.text, '1, 2, 3');
    assert.deepEqual(s.finishes, ['stop']);
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens, s.usage?.total_tokens], [8, 30, 38]);
  });

  it(`${tag('gemini')} last chunk with empty text + signature: no empty delta, usage from the last chunk`, async () => {
    const rel = 'gemini/streamGenerateContent-text-thoughtSignature.jsonl';
    c.up.handle(replay(rel));
    const chunks = await stream(M, true);
    assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
    const s = summarise(chunks);
    const f = geminiFacts(rel);
    assert.equal(s.text, f.text);
    const u = f.usage as { promptTokenCount: number; candidatesTokenCount: number; thoughtsTokenCount: number; totalTokenCount: number };
    assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens, s.usage?.total_tokens], [u.promptTokenCount, u.candidatesTokenCount + u.thoughtsTokenCount, u.totalTokenCount]);
  });
});

describe('errors after the 200, from translated providers', () => {
  it(`${tag('gemini')} an error event after text: the text arrives, then the client throws with Gemini's message`, async () => {
    c.up.handle((_req, res) => sendWire(res, geminiTextThenError()));
    const { chunks, error } = await streamUntilError(MODEL.gemini);
    assert.ok(summarise(chunks).text.startsWith(MID_STREAM_TEXT.gemini));
    assert.equal(summarise(chunks).finishes.length, 0);
    assert.match(error.message, /exceeded your current quota/);
  });

  it(`${tag('bedrock')} a throttlingException frame after text: the text arrives, then the client throws`, async () => {
    c.up.handle((_req, res) => sendWire(res, bedrockTextThenThrottle()));
    const { chunks, error } = await streamUntilError(MODEL.bedrock);
    assert.equal(summarise(chunks).text, MID_STREAM_TEXT.bedrock);
    assert.match(error.message, /Too many requests/);
  });
});

describe('Bedrock upstream (translated, binary event-stream)', () => {
  const M = MODEL.bedrock;

  it(`${tag('bedrock')} non-stream text: end_turn → stop, usage 22/57`, async () => {
    const rel = 'bedrock/converse-nonstream-text.json';
    c.up.handle(replay(rel));
    const r = await complete(M);
    assert.equal(r.choices[0]?.message.content, bedrockFacts(rel).text);
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens, r.usage?.total_tokens], [22, 57, 79]);
    assert.equal(r.usage?.prompt_tokens_details?.cached_tokens, 0);
  });

  it(`${tag('bedrock')} non-stream toolUse: id, name, arguments, tool_calls`, async () => {
    c.up.handle(replay('bedrock/converse-nonstream-tool_use.json'));
    const r = await complete(M);
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.id, 'tool-use-id');
    assert.equal(call.function.name, 'bash');
    assert.deepEqual(JSON.parse(call.function.arguments), { command: 'ls -l' });
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens], [10, 20]);
  });

  for (const rel of ['bedrock/converse-stream-text.frames.b64', 'bedrock/converse-stream-text.jsonl']) {
    it(`${tag('bedrock')} text stream (${rel.split('/')[1]}): usage 22/55 after the finish, from the trailing metadata`, async () => {
      c.up.handle(replay(rel));
      const chunks = await stream(M, true);
      assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
      const s = summarise(chunks);
      assert.equal(s.text, bedrockFacts(rel).text);
      assert.deepEqual(s.finishes, ['stop']);
      assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens, s.usage?.total_tokens], [22, 55, 77]);
    });
  }

  for (const rel of ['bedrock/converse-stream-multi-tool.frames.b64', 'bedrock/converse-stream-multi-tool-handwritten.jsonl']) {
    it(`${tag('bedrock')} two toolUse blocks (${rel.split('/')[1]}): tool_calls 0 and 1 with their own arguments`, async () => {
      c.up.handle(replay(rel));
      const chunks = await stream(M, true);
      assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
      const s = summarise(chunks);
      const f = bedrockFacts(rel);
      assert.equal(s.text, f.text);
      assert.deepEqual(s.tools.map((t) => t.index), [0, 1]);
      assert.deepEqual(
        s.tools.map((t) => ({ id: t.id, name: t.name, input: JSON.parse(t.args) as unknown })),
        f.toolCalls.map((t) => ({ id: t.id, name: t.name, input: t.input })),
      );
      assert.deepEqual(s.finishes, ['tool_calls']);
      assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [500, 100]);
    });
  }

  for (const rel of ['bedrock/converse-stream-reasoning.frames.b64', 'bedrock/converse-stream-reasoning.jsonl']) {
    it(`${tag('bedrock')} reasoning stream (${rel.split('/')[1]}): reasoning apart from text, usage 51/94`, async () => {
      c.up.handle(replay(rel));
      const chunks = await stream(M, true);
      assertOpenAIOrder(chunks, { includeUsage: true, translated: true });
      const s = summarise(chunks);
      const f = bedrockFacts(rel);
      assert.equal(s.reasoning, f.reasoning);
      assert.equal(s.text, f.text);
      assert.deepEqual(s.finishes, ['stop']);
      assert.deepEqual([s.usage?.prompt_tokens, s.usage?.completion_tokens], [51, 94]);
    });
  }

  it(`${tag('bedrock')} frames cut into 7-byte pieces decode the same`, async () => {
    const rel = 'bedrock/converse-stream-multi-tool.frames.b64';
    c.up.handle(replay(rel, { pieceBytes: 7 }));
    const s = summarise(await stream(M, false));
    assert.deepEqual(s.tools.map((t) => JSON.parse(t.args) as unknown), bedrockFacts(rel).toolCalls.map((t) => t.input));
  });

  it(`${tag('bedrock')} a real InvokeModel 'chunk' frame instead of Converse events: the client gets an error`, async () => {
    c.up.handle(replay('bedrock/eventstream-invoke-chunk-frame.b64'));
    const { error } = await streamUntilError(M);
    assert.ok(error.message.length > 0);
  });

  it(`${tag('bedrock')} a frame with a corrupted payload CRC after messageStart: the client gets an error`, async () => {
    const vectors = readFixtureJson<Record<string, { encoded_b64: string; expectation: string }>>('bedrock/eventstream-codec-test-vectors.json');
    const corrupted = Buffer.from(vectors['corrupted_payload']!.encoded_b64, 'base64');
    const head = bedrockFrame({ messageStart: { role: 'assistant' } });
    const text = bedrockFrame({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'partial' } } });
    // The good frames and the bad one arrive in separate reads, as they would from a network.
    c.up.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(Buffer.concat([head, text]));
      await new Promise((r) => setTimeout(r, 50));
      res.end(corrupted);
    });
    const { chunks, error } = await streamUntilError(M);
    assert.equal(summarise(chunks).text, 'partial');
    assert.match(error.message, /checksum/);
  });

  it(`${tag('bedrock')} good frames read together with a corrupted one still reach the client before the error`, async () => {
    const vectors = readFixtureJson<Record<string, { encoded_b64: string; expectation: string }>>('bedrock/eventstream-codec-test-vectors.json');
    const corrupted = Buffer.from(vectors['corrupted_payload']!.encoded_b64, 'base64');
    const head = bedrockFrame({ messageStart: { role: 'assistant' } });
    const text = bedrockFrame({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'partial' } } });
    c.up.handle((_req, res) => sendWire(res, { contentType: 'application/vnd.amazon.eventstream', body: Buffer.concat([head, text, corrupted]) }));
    const { chunks, error } = await streamUntilError(M);
    assert.match(error.message, /checksum/);
    assert.equal(summarise(chunks).text, 'partial', 'what was decoded before the bad frame is not lost');
  });
});
