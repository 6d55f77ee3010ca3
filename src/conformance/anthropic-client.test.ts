/**
 * Conformance through the real gateway with the official `@anthropic-ai/sdk` client on
 * `/v1/messages`: Anthropic transcripts (same protocol: passed through), and OpenAI, Azure,
 * Ollama, Gemini and Bedrock transcripts (translated) replayed by the mock upstream in each
 * provider's framing. Checked: the final message's content blocks, tool_use inputs,
 * stop_reason, usage, and the event order of the gateway's own SSE against Anthropic's
 * documented streams. Test names carry their matrix cell.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { readFixtureJson, readFixtureText } from '../testing/fixtures.js';
import { TEST_KEY } from '../testing/gateway.js';
import { accumulate, assertAnthropicOrder, collectEvents, eventShape, type MessageSeen, type StreamEvent } from './check-anthropic.js';
import { cell, MODEL, startConformance, type Conformance, type ProviderKind } from './harness.js';
import { bedrockTextThenThrottle, geminiTextThenError, MID_STREAM_TEXT, openaiTextThenError } from './mid-stream.js';
import { replay, sendWire, type WireBody } from './replay.js';
import { anthropicFacts, bedrockFacts, geminiFacts, openaiFacts, sseEventNames, streamPayloads } from './transcripts.js';

let c: Conformance;
before(async () => {
  c = await startConformance();
});
after(async () => {
  await c.close();
});

const tag = (p: ProviderKind): string => cell('anthropic-messages', p);
const PARAMS = { max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Hello' }] };

interface Streamed {
  events: StreamEvent[];
  seen: MessageSeen;
  /** The SDK's own accumulated message. */
  final: Anthropic.Message;
}

async function stream(model: string): Promise<Streamed> {
  const s = c.anthropic.messages.stream({ model, ...PARAMS });
  const events = await collectEvents(s);
  const final = await s.finalMessage();
  return { events, seen: accumulate(events), final };
}

function create(model: string): Promise<Anthropic.Message> {
  return c.anthropic.messages.create({ model, ...PARAMS });
}

/** The gateway's raw SSE text for a streamed /v1/messages call. */
async function rawStream(model: string): Promise<string> {
  const res = await fetch(`${c.gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model, ...PARAMS, stream: true }),
  });
  assert.equal(res.status, 200);
  assert.ok(res.headers.get('content-type')?.startsWith('text/event-stream'));
  return res.text();
}

/** Each SSE frame's `event:` name equals its payload's `type`, as Anthropic sends them. */
function assertEventNamesMatchTypes(sse: string): void {
  const frames = sse.split('\n\n').filter((f) => f.trim() !== '');
  assert.ok(frames.length > 0);
  for (const f of frames) {
    const name = /^event: (.+)$/m.exec(f)?.[1];
    const data = /^data: (.+)$/m.exec(f)?.[1];
    assert.ok(name && data, `a frame has an event: and a data: line: ${f}`);
    assert.equal((JSON.parse(data) as { type: string }).type, name);
  }
}

function text(blocks: Anthropic.ContentBlock[]): string {
  return blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
}

function toolUses(blocks: Anthropic.ContentBlock[]): Array<{ id: string; name: string; input: unknown }> {
  return blocks.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, input: b.input }] : []));
}

describe('Anthropic upstream (same protocol: bytes pass through)', () => {
  const M = MODEL.anthropic;

  it(`${tag('anthropic')} docs basic stream: the client gets the recorded bytes, "Hello!", end_turn, usage 25/15`, async () => {
    const rel = 'anthropic/docs-stream-basic.sse.txt';
    c.up.handle(replay(rel));
    assert.equal(await rawStream(M), readFixtureText(rel), 'byte for byte');
    const r = await stream(M);
    assert.deepEqual(r.final.content, [{ type: 'text', text: 'Hello!' }]);
    assert.equal(r.final.stop_reason, 'end_turn');
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [25, 15]);
  });

  it(`${tag('anthropic')} docs error event: the client raises overloaded_error`, async () => {
    c.up.handle(replay('anthropic/docs-stream-error-overloaded.sse.txt'));
    await assert.rejects(stream(M), (e: unknown) => {
      assert.ok(e instanceof Anthropic.APIError);
      assert.match(e.message, /overloaded_error|Overloaded/);
      return true;
    });
  });

  it(`${tag('anthropic')} docs thinking stream (no usage anywhere): thinking with signature, then text`, async () => {
    const rel = 'anthropic/docs-stream-thinking.sse.txt';
    c.up.handle(replay(rel));
    // The SDK's accumulator needs message_delta.usage, which this documented example lacks: read the events.
    const events = await collectEvents(await c.anthropic.messages.create({ model: M, ...PARAMS, stream: true }));
    const seen = accumulate(events);
    const f = anthropicFacts(rel);
    assert.deepEqual(seen.blocks.map((b) => b.type), ['thinking', 'text']);
    assert.equal(seen.blocks[0]?.thinking, f.reasoning);
    assert.equal(seen.blocks[0]?.signature, f.signature);
    assert.equal(seen.blocks[1]?.text, '27 * 453 = 12,231');
    assert.equal(seen.stopReason, 'end_turn');
  });

  it(`${tag('anthropic')} docs tool_use stream: text, then get_weather with its input object, tool_use`, async () => {
    const rel = 'anthropic/docs-stream-tool_use-input_json_delta.sse.txt';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    assert.equal(text(r.final.content), anthropicFacts(rel).text);
    assert.deepEqual(toolUses(r.final.content), [{ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'fahrenheit' } }]);
    assert.equal(r.final.stop_reason, 'tool_use');
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [472, 89]);
  });

  for (const rel of ['anthropic/messages-nonstream-text.json', 'anthropic/messages-nonstream-tool_use.json', 'anthropic/messages-nonstream-text-and-tool_use-empty-input.json']) {
    it(`${tag('anthropic')} non-stream ${rel.split('/')[1]}: content, stop_reason and usage exactly as recorded`, async () => {
      c.up.handle(replay(rel));
      const m = await create(M);
      const rec = readFixtureJson<{ content: unknown; stop_reason: string; usage: Record<string, number> }>(rel);
      assert.deepEqual(m.content, rec.content);
      assert.equal(m.stop_reason, rec.stop_reason);
      assert.equal(m.usage.input_tokens, rec.usage['input_tokens']);
      assert.equal(m.usage.output_tokens, rec.usage['output_tokens']);
    });
  }

  it(`${tag('anthropic')} input_json_delta stream: text block, then json tool input as recorded`, async () => {
    const rel = 'anthropic/messages-stream-input_json_delta.jsonl';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    const f = anthropicFacts(rel);
    assert.equal(text(r.final.content), f.text);
    assert.deepEqual(toolUses(r.final.content), f.toolCalls.map((t) => ({ id: t.id, name: t.name, input: t.input })));
    assert.equal(r.final.stop_reason, 'tool_use');
    assert.equal(r.final.usage.output_tokens, 47);
  });

  it(`${tag('anthropic')} message_delta input_tokens: the final message says 61 input, 2 output`, async () => {
    c.up.handle(replay('anthropic/messages-stream-message_delta-input_tokens.jsonl'));
    const r = await stream(M);
    assert.equal(text(r.final.content), 'pong');
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [61, 2]);
  });

  it(`${tag('anthropic')} refusal with no content block: stop_reason refusal, empty content`, async () => {
    c.up.handle(replay('anthropic/messages-stream-refusal-no-content.jsonl'));
    const r = await stream(M);
    assert.deepEqual(r.final.content, []);
    assert.equal(r.final.stop_reason, 'refusal');
  });

  it(`${tag('anthropic')} pings between events: text and usage 12/30`, async () => {
    const rel = 'anthropic/messages-stream-text-ping.jsonl';
    c.up.handle(replay(rel));
    assert.deepEqual(sseEventNames(await rawStream(M)), streamPayloads(rel).map((e) => e['type']), 'every event, pings included, passes through in order');
    c.up.handle(replay(rel));
    const r = await stream(M);
    assert.equal(text(r.final.content), anthropicFacts(rel).text);
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [12, 30]);
  });

  it(`${tag('anthropic')} tool with no arguments: input {}`, async () => {
    c.up.handle(replay('anthropic/messages-stream-text-then-tool_use-empty-input.jsonl'));
    const r = await stream(M);
    assert.deepEqual(toolUses(r.final.content), [{ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', input: {} }]);
    assert.equal(r.final.stop_reason, 'tool_use');
  });

  it(`${tag('anthropic')} thinking + signature, then text: both blocks as recorded`, async () => {
    const rel = 'anthropic/messages-stream-thinking-signature.jsonl';
    c.up.handle(replay(rel));
    const r = await stream(M);
    const f = anthropicFacts(rel);
    const [thinking, answer] = r.final.content;
    assert.ok(thinking?.type === 'thinking' && answer?.type === 'text');
    assert.equal(thinking.thinking, f.reasoning);
    assert.equal(thinking.signature, f.signature);
    assert.equal(answer.text, '925 ÷ 5 = 185');
  });
});

describe('OpenAI upstream (translated to Anthropic Messages)', () => {
  const M = MODEL.openai;

  it(`${tag('openai')} non-stream text: one text block, end_turn, usage 16/363`, async () => {
    const rel = 'openai/chat-nonstream-text.json';
    c.up.handle(replay(rel));
    const m = await create(M);
    assert.deepEqual(m.content, [{ type: 'text', text: openaiFacts(rel).text }]);
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.model, M);
    assert.deepEqual([m.usage.input_tokens, m.usage.output_tokens], [16, 363]);
  });

  it(`${tag('openai')} non-stream tool call: tool_use with an input object, tool_use`, async () => {
    c.up.handle(replay('openai/chat-nonstream-tool_calls.json'));
    const m = await create(M);
    assert.deepEqual(toolUses(m.content), [{ id: 'call_qOfTGgDrItLORNfC6VwUbyLL', name: 'get_weather', input: { location: 'Shanghai' } }]);
    assert.equal(m.stop_reason, 'tool_use');
    assert.deepEqual([m.usage.input_tokens, m.usage.output_tokens], [91, 14]);
  });

  it(`${tag('openai')} stream with usage: text, end_turn, usage 17/10 in message_delta; event order as Anthropic documents`, async () => {
    const rel = 'openai/chat-stream-include_usage-raw.sse.txt';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    assert.equal(text(r.final.content), openaiFacts(rel).text);
    assert.equal(r.final.stop_reason, 'end_turn');
    const md = r.events.find((e) => e.type === 'message_delta');
    assert.ok(md && md.type === 'message_delta');
    assert.deepEqual([md.usage.input_tokens, md.usage.output_tokens], [17, 10]);
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [17, 10]);
  });

  it(`${tag('openai')} the gateway's raw SSE has the event names and order of Anthropic's documented text stream`, async () => {
    c.up.handle(replay('openai/chat-stream-include_usage-raw.sse.txt'));
    const sse = await rawStream(M);
    assertEventNamesMatchTypes(sse);
    assert.deepEqual(eventShape(sseEventNames(sse)), eventShape(sseEventNames(readFixtureText('anthropic/docs-stream-basic.sse.txt'))));
    assert.deepEqual(eventShape(sseEventNames(sse)), ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it(`${tag('openai')} tool-call stream: tool_use block like Anthropic's docs, input_json_delta fragments in order, usage 53/17`, async () => {
    const rel = 'openai/chat-stream-tool_calls-raw.sse.txt';
    c.up.handle(replay(rel));
    const sse = await rawStream(M);
    assertEventNamesMatchTypes(sse);
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    const start = r.events.find((e) => e.type === 'content_block_start');
    const docStart = streamPayloads('anthropic/docs-stream-tool_use-input_json_delta.sse.txt').find((e) => e['type'] === 'content_block_start' && (e['content_block'] as { type: string }).type === 'tool_use');
    assert.ok(start && start.type === 'content_block_start' && docStart);
    assert.deepEqual(Object.keys(start.content_block).sort(), Object.keys(docStart['content_block'] as object).sort(), 'the tool_use block opens with the documented fields');
    assert.deepEqual(start.content_block, { type: 'tool_use', id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', name: 'test-tool', input: {} });
    const upstreamFragments = streamPayloads(rel).flatMap((p) => ((p['choices'] as Array<{ delta: { tool_calls?: Array<{ function: { arguments?: string } }> } }>)[0]?.delta.tool_calls ?? []).map((t) => t.function.arguments ?? '')).filter((a) => a !== '');
    assert.deepEqual(r.seen.blocks[0]?.fragments, upstreamFragments);
    assert.deepEqual(toolUses(r.final.content), [{ id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', name: 'test-tool', input: { value: 'Sparkle Day' } }]);
    assert.equal(r.final.stop_reason, 'tool_use');
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [53, 17]);
  });

  it(`${tag('openai')} refusal stream: the refusal becomes the text, stop_reason refusal`, async () => {
    const rel = 'openai/chat-stream-refusal-logprobs-raw.sse.txt';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    assert.equal(text(r.final.content), openaiFacts(rel).refusal);
    assert.equal(r.final.stop_reason, 'refusal');
  });

  it(`${tag('openai')} content starting with a blank line keeps it`, async () => {
    const rel = 'openai/chat-stream-leading-newline-content-raw.sse.txt';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assert.ok(text(r.final.content).startsWith('\n\n'));
    assert.equal(text(r.final.content), openaiFacts(rel).text);
  });

  it(`${tag('openai')} a stream whose upstream sends no usage: the gateway asked for it, and the message still ends well`, async () => {
    const rel = 'openai/chat-stream-no-usage-raw.sse.txt';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    const sent = JSON.parse(c.last().body.toString('utf8')) as { stream_options?: { include_usage?: boolean } };
    assert.equal(sent.stream_options?.include_usage, true, 'include_usage is requested upstream to fill message_delta.usage');
    assert.equal(text(r.final.content), openaiFacts(rel).text);
    assert.equal(r.final.stop_reason, 'end_turn');
  });

  it(`${tag('openai')} modern stream with cached/reasoning details: usage 16/300`, async () => {
    const rel = 'openai/chat-stream-include_usage.trimmed.jsonl';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assert.equal(text(r.final.content), openaiFacts(rel).text);
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens, r.final.usage.cache_read_input_tokens], [16, 300, 0]);
  });

  it(`${tag('openai')} upstream 400: an Anthropic error envelope with the upstream message`, async () => {
    const rel = 'openai/error-max_tokens-unsupported.json';
    c.up.handle(replay(rel, { status: 400 }));
    await assert.rejects(create(M), (e: unknown) => {
      assert.ok(e instanceof Anthropic.APIError);
      assert.equal(e.status, 400);
      const body = e.error as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'invalid_request_error');
      assert.ok(body.error.message.includes(readFixtureJson<{ error: { message: string } }>(rel).error.message));
      return true;
    });
  });
});

describe('Azure upstream (translated to Anthropic Messages)', () => {
  const M = MODEL.azure;

  it(`${tag('azure')} non-stream with content filter results: text, end_turn`, async () => {
    const rel = 'azure/chat-nonstream-content-filter.json';
    c.up.handle(replay(rel));
    const m = await create(M);
    assert.deepEqual(m.content, [{ type: 'text', text: openaiFacts(rel).text }]);
    assert.equal(m.stop_reason, 'end_turn');
  });

  it(`${tag('azure')} stream opening with an empty prompt-filter chunk: a well-formed message`, async () => {
    const rel = 'azure/chat-stream-content-filter-raw.sse.txt';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    assert.equal(text(r.final.content), 'Hello! I’m doing well, thank you for asking. How can I assist you today?');
    assert.equal(r.final.stop_reason, 'end_turn');
  });

  it(`${tag('azure')} model-router stream: usage 15/78 in message_delta`, async () => {
    const rel = 'azure/chat-stream-content-filter-results.jsonl';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    assert.equal(text(r.final.content), openaiFacts(rel).text);
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [15, 78]);
  });
});

describe('Ollama upstream (translated to Anthropic Messages)', () => {
  const M = MODEL.ollama;

  it(`${tag('ollama')} parallel tool calls: two tool_use blocks, each with one input_json_delta`, async () => {
    const rel = 'ollama/openai-compat-chat-stream-parallel-tool_calls.sse.txt';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    assert.deepEqual(r.seen.blocks.map((b) => [b.type, b.fragments.length]), [['tool_use', 1], ['tool_use', 1]]);
    assert.deepEqual(toolUses(r.final.content), openaiFacts(rel).toolCalls.map((t) => ({ id: t.id, name: t.name, input: t.input })));
    assert.equal(r.final.stop_reason, 'tool_use');
  });

  it(`${tag('ollama')} reasoning stream with empty content on every chunk: thinking only, no text block`, async () => {
    const rel = 'ollama/openai-compat-chat-stream-reasoning.partial.sse.txt';
    c.up.handle(replay(rel));
    const events = await collectEvents(await c.anthropic.messages.create({ model: M, ...PARAMS, stream: true }));
    assertAnthropicOrder(events);
    const seen = accumulate(events);
    assert.deepEqual(seen.blocks.map((b) => b.type), ['thinking']);
    assert.equal(seen.blocks[0]?.thinking, openaiFacts(rel).reasoning);
  });

  it(`${tag('ollama')} non-stream reasoning cut by length: thinking block, max_tokens, usage 13/20`, async () => {
    const rel = 'ollama/openai-compat-chat-nonstream.json';
    c.up.handle(replay(rel));
    const m = await create(M);
    assert.equal(m.content[0]?.type, 'thinking');
    assert.equal(m.content[0]?.type === 'thinking' ? m.content[0].thinking : '', openaiFacts(rel).reasoning);
    assert.equal(text(m.content), '');
    assert.equal(m.stop_reason, 'max_tokens');
    assert.deepEqual([m.usage.input_tokens, m.usage.output_tokens], [13, 20]);
  });
});

describe('Gemini upstream (translated to Anthropic Messages)', () => {
  const M = MODEL.gemini;

  it(`${tag('gemini')} non-stream text: text block, end_turn, output counts thoughts (272)`, async () => {
    const rel = 'gemini/generateContent-text.json';
    c.up.handle(replay(rel));
    const m = await create(M);
    assert.equal(text(m.content), geminiFacts(rel).text);
    assert.equal(m.stop_reason, 'end_turn');
    assert.deepEqual([m.usage.input_tokens, m.usage.output_tokens], [9, 272]);
  });

  it(`${tag('gemini')} non-stream functionCall: tool_use with the args object, tool_use`, async () => {
    c.up.handle(replay('gemini/generateContent-functionCall.json'));
    const m = await create(M);
    const [call] = toolUses(m.content);
    assert.ok(call);
    assert.equal(call.name, 'weather');
    assert.deepEqual(call.input, { location: 'San Francisco' });
    assert.ok(call.id.length > 5);
    assert.equal(m.stop_reason, 'tool_use');
  });

  it(`${tag('gemini')} 429 RESOURCE_EXHAUSTED: rate_limit_error with status 429`, async () => {
    c.up.handle(replay('gemini/error-429-RESOURCE_EXHAUSTED-retryinfo.json', { status: 429 }));
    await assert.rejects(create(M), (e: unknown) => {
      assert.ok(e instanceof Anthropic.APIError);
      assert.equal(e.status, 429);
      assert.equal((e.error as { error: { type: string } }).error.type, 'rate_limit_error');
      return true;
    });
  });

  for (const rel of ['gemini/streamGenerateContent-functionCall.jsonl', 'gemini/streamGenerateContent-sse-raw-functionCall.sse.txt']) {
    it(`${tag('gemini')} function-call stream (${rel.split('/')[1]}): one tool_use block, tool_use`, async () => {
      c.up.handle(replay(rel));
      const r = await stream(M);
      assertAnthropicOrder(r.events);
      const f = geminiFacts(rel);
      assert.deepEqual(toolUses(r.final.content).map((t) => ({ name: t.name, input: t.input })), f.toolCalls.map((t) => ({ name: t.name, input: t.input })));
      assert.equal(r.final.stop_reason, 'tool_use');
    });
  }

  for (const rel of [
    'gemini/streamGenerateContent-sse-raw-text.sse.txt',
    'gemini/streamGenerateContent-sse-raw-after-functionResponse.sse.txt',
    'gemini/streamGenerateContent-sse-raw-multi-event.trimmed.sse.txt',
    'gemini/streamGenerateContent-text-thoughtSignature.jsonl',
  ]) {
    it(`${tag('gemini')} text stream (${rel.split('/')[1]}): text, end_turn, usage from the last event`, async () => {
      c.up.handle(replay(rel));
      const r = await stream(M);
      assertAnthropicOrder(r.events);
      const f = geminiFacts(rel);
      const u = f.usage as { promptTokenCount: number; candidatesTokenCount: number; thoughtsTokenCount?: number };
      assert.equal(text(r.final.content), f.text);
      assert.equal(r.final.stop_reason, 'end_turn');
      assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [u.promptTokenCount, u.candidatesTokenCount + (u.thoughtsTokenCount ?? 0)]);
    });
  }
});

describe('Bedrock upstream (translated to Anthropic Messages)', () => {
  const M = MODEL.bedrock;

  it(`${tag('bedrock')} non-stream text: text block, end_turn, usage 22/57`, async () => {
    const rel = 'bedrock/converse-nonstream-text.json';
    c.up.handle(replay(rel));
    const m = await create(M);
    assert.deepEqual(m.content, [{ type: 'text', text: bedrockFacts(rel).text }]);
    assert.equal(m.stop_reason, 'end_turn');
    assert.deepEqual([m.usage.input_tokens, m.usage.output_tokens], [22, 57]);
  });

  it(`${tag('bedrock')} non-stream toolUse: tool_use block, tool_use`, async () => {
    c.up.handle(replay('bedrock/converse-nonstream-tool_use.json'));
    const m = await create(M);
    assert.deepEqual(toolUses(m.content), [{ id: 'tool-use-id', name: 'bash', input: { command: 'ls -l' } }]);
    assert.equal(m.stop_reason, 'tool_use');
  });

  it(`${tag('bedrock')} text stream (frames): text, end_turn, usage 22/55 from the trailing metadata`, async () => {
    const rel = 'bedrock/converse-stream-text.frames.b64';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    assert.equal(text(r.final.content), bedrockFacts(rel).text);
    assert.equal(r.final.stop_reason, 'end_turn');
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [22, 55]);
  });

  it(`${tag('bedrock')} text then two toolUse blocks (frames): text block, two tool_use blocks, usage 500/100`, async () => {
    const rel = 'bedrock/converse-stream-multi-tool.frames.b64';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    const f = bedrockFacts(rel);
    assert.deepEqual(r.final.content.map((b) => b.type), ['text', 'tool_use', 'tool_use']);
    assert.equal(text(r.final.content), f.text);
    assert.deepEqual(toolUses(r.final.content), f.toolCalls.map((t) => ({ id: t.id, name: t.name, input: t.input })));
    assert.equal(r.final.stop_reason, 'tool_use');
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [500, 100]);
  });

  it(`${tag('bedrock')} reasoning stream (frames): thinking block with its signature, then text`, async () => {
    const rel = 'bedrock/converse-stream-reasoning.frames.b64';
    c.up.handle(replay(rel));
    const r = await stream(M);
    assertAnthropicOrder(r.events);
    const f = bedrockFacts(rel);
    const [thinking, answer] = r.final.content;
    assert.ok(thinking?.type === 'thinking' && answer?.type === 'text');
    assert.equal(thinking.thinking, f.reasoning);
    assert.equal(thinking.signature, f.signature);
    assert.equal(answer.text, f.text);
    assert.deepEqual([r.final.usage.input_tokens, r.final.usage.output_tokens], [51, 94]);
  });
});

describe('errors after the 200, from translated providers', () => {
  /** Streams until the SDK raises; the events before the error, and the error. */
  async function untilError(model: string, wire: WireBody): Promise<{ events: StreamEvent[]; error: InstanceType<typeof Anthropic.APIError> }> {
    c.up.handle((_req, res) => sendWire(res, wire));
    const events: StreamEvent[] = [];
    try {
      for await (const e of await c.anthropic.messages.create({ model, ...PARAMS, stream: true })) events.push(e);
    } catch (e) {
      assert.ok(e instanceof Anthropic.APIError, String(e));
      return { events, error: e };
    }
    assert.fail(`the stream ended cleanly after ${events.length} events instead of raising an error`);
  }

  it(`${tag('openai')} an error object mid-stream: the text so far, then an error event the SDK raises`, async () => {
    const { events, error } = await untilError(MODEL.openai, openaiTextThenError());
    assert.equal(accumulate(events).blocks[0]?.text, MID_STREAM_TEXT.openai);
    assert.ok(!events.some((e) => e.type === 'message_stop'), 'no clean end');
    assert.match(error.message, /server had an error/);
  });

  it(`${tag('gemini')} an error event after text: the text so far, then rate_limit_error`, async () => {
    const { events, error } = await untilError(MODEL.gemini, geminiTextThenError());
    assert.ok(accumulate(events).blocks[0]?.text.startsWith(MID_STREAM_TEXT.gemini));
    assert.equal((error.error as { error: { type: string } }).error.type, 'rate_limit_error');
  });

  it(`${tag('bedrock')} a throttlingException frame after text: the text so far, then the SDK raises`, async () => {
    const { events, error } = await untilError(MODEL.bedrock, bedrockTextThenThrottle());
    assert.equal(accumulate(events).blocks[0]?.text, MID_STREAM_TEXT.bedrock);
    assert.match(error.message, /Too many requests/);
  });
});
