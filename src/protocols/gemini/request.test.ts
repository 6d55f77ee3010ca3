import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGatewayError } from '../../core/errors.js';
import type { ChatMessage, ChatRequest, FunctionTool } from '../../core/types.js';
import { readFixtureJson } from '../../testing/fixtures.js';
import type { UpstreamTarget } from '../types.js';
import { geminiUpstream } from './index.js';
import { toGeminiRequest } from './request.js';
import type { GeminiRequest } from './wire.js';

const target: UpstreamTarget = {
  provider: 'gem',
  kind: 'google',
  baseUrl: 'http://127.0.0.1:9/v1beta',
  apiKey: 'test-key',
  model: 'gemini-2.5-flash',
  headers: { 'x-extra': '1' },
};

/** The recorded requests use snake_case field names and role 'tool'; Gemini reads both spellings. */
const SNAKE: Record<string, string> = {
  function_call: 'functionCall',
  function_response: 'functionResponse',
  function_declarations: 'functionDeclarations',
};
function camelise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelise);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[SNAKE[k] ?? k] = k === 'role' && val === 'tool' ? 'user' : camelise(val);
  return out;
}

/** The OpenAI-side tool that the recorded Gemini requests declare (same name, texts and enum). */
const getWeather: FunctionTool = {
  type: 'function',
  function: {
    name: 'getWeather',
    description: '指定された都市の現在の天気を取得する',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: '都市名。例: Tokyo, San Francisco' },
        unit: { type: 'string', description: '温度単位: celsius or fahrenheit', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location'],
      additionalProperties: false,
    },
  },
};

const question: ChatMessage = { role: 'user', content: '今日の東京の天気を教えて' };

describe('gemini request: URL and headers', () => {
  it('generateContent and streamGenerateContent?alt=sse, x-goog-api-key and configured headers', () => {
    const req: ChatRequest = { model: 'alias', messages: [question] };
    const plain = geminiUpstream.chatRequest(req, target, { stream: false, clientHeaders: {} });
    assert.equal(plain.method, 'POST');
    assert.equal(plain.url, 'http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:generateContent');
    assert.deepEqual(plain.headers, { 'content-type': 'application/json', 'x-goog-api-key': 'test-key', 'x-extra': '1' });
    const streamed = geminiUpstream.chatRequest(req, target, { stream: true, clientHeaders: {} });
    assert.equal(streamed.url, 'http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    const body = JSON.parse(String(streamed.body)) as Record<string, unknown>;
    assert.equal(body['model'], undefined, 'the model is in the URL, not the body');
    assert.equal(body['stream'], undefined);
  });

  it('default base URL, a models/ prefix dropped, the model id encoded', () => {
    const spec = geminiUpstream.chatRequest({ model: 'x', messages: [question] }, { ...target, baseUrl: '', model: 'models/tuned model' }, { stream: false, clientHeaders: {} });
    assert.equal(spec.url, 'https://generativelanguage.googleapis.com/v1beta/models/tuned%20model:generateContent');
  });

  it('no key configured: no auth header', () => {
    const { apiKey: _k, ...noKey } = target;
    const spec = geminiUpstream.chatRequest({ model: 'x', messages: [question] }, noKey, { stream: false, clientHeaders: {} });
    assert.equal(spec.headers['x-goog-api-key'], undefined);
  });
});

describe('gemini request: compared with recorded requests', () => {
  it('first turn with a tool equals streamGenerateContent-sse-raw-functionCall.request.json', () => {
    const recorded = camelise(readFixtureJson('gemini/streamGenerateContent-sse-raw-functionCall.request.json'));
    const body = toGeminiRequest({ model: 'x', messages: [question], tools: [getWeather] }, 'gemini-2.5-flash');
    assert.deepEqual(body, recorded);
  });

  it('turn after the function call equals streamGenerateContent-sse-raw-after-functionResponse.request.json', () => {
    const recorded = camelise(readFixtureJson('gemini/streamGenerateContent-sse-raw-after-functionResponse.request.json'));
    const body = toGeminiRequest(
      {
        model: 'x',
        messages: [
          question,
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'getWeather', arguments: '{"location":"Tokyo","unit":"celsius"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_7', content: '{"location":"Tokyo","unit":"celsius","temperature":22,"condition":"Cloudy"}' },
        ],
        tools: [getWeather],
      },
      'gemini-2.5-flash',
    );
    assert.deepEqual(body, recorded);
    const fr = body.contents[2]?.parts[0]?.functionResponse;
    assert.equal(fr?.name, 'getWeather', 'name looked up from the tool call id');
  });
});

describe('gemini request: messages', () => {
  it('system and developer messages (string or parts) become systemInstruction parts', () => {
    const body = toGeminiRequest(
      {
        model: 'x',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          question,
        ],
      },
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.systemInstruction, { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: question.content as string }] }]);
  });

  it('multimodal user parts: text, data-URL image, http image (mime from extension), audio, file', () => {
    const body = toGeminiRequest(
      {
        model: 'x',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?x=1' } },
              { type: 'image_url', image_url: { url: 'https://example.com/photo' } },
              { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'mp3' } },
              { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
            ],
          },
        ],
      },
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.contents[0]?.parts, [
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?x=1' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photo' } },
      { inlineData: { mimeType: 'audio/mp3', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });

  it('parallel tool results merge into one user turn, in order, with the next user text', () => {
    const body = toGeminiRequest(
      {
        model: 'x',
        messages: [
          question,
          {
            role: 'assistant',
            content: 'Checking both.',
            tool_calls: [
              { id: 'a', type: 'function', function: { name: 'getWeather', arguments: '{"location":"Tokyo"}' } },
              { id: 'b', type: 'function', function: { name: 'getTime', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'b', content: '12:00' },
          { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: '[1,2]' }] },
          { role: 'user', content: 'Thanks' },
        ],
      },
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.contents, [
      { role: 'user', parts: [{ text: question.content as string }] },
      {
        role: 'model',
        parts: [{ text: 'Checking both.' }, { functionCall: { name: 'getWeather', args: { location: 'Tokyo' } } }, { functionCall: { name: 'getTime', args: {} } }],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'getTime', response: { result: '12:00' } } },
          { functionResponse: { name: 'getWeather', response: { result: '[1,2]' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it('consecutive assistant messages merge into one model turn; empty messages are dropped', () => {
    const body = toGeminiRequest(
      {
        model: 'x',
        messages: [question, { role: 'assistant', content: 'One.' }, { role: 'assistant', content: '' }, { role: 'assistant', content: 'Two.' }],
      },
      'gemini-2.5-flash',
    );
    assert.deepEqual(body.contents[1], { role: 'model', parts: [{ text: 'One.' }, { text: 'Two.' }] });
    assert.equal(body.contents.length, 2);
  });

  it('a tool message answering no known tool call is an invalid request', () => {
    assert.throws(
      () => toGeminiRequest({ model: 'x', messages: [question, { role: 'tool', tool_call_id: 'nope', content: 'x' }] }, 'gemini-2.5-flash'),
      (e) => isGatewayError(e) && e.code === 'LLMUX_ERR_INVALID_REQUEST' && e.param === 'messages[1].tool_call_id',
    );
  });

  it('a content part Gemini cannot take is an invalid request, not a silent drop', () => {
    assert.throws(
      () => toGeminiRequest({ model: 'x', messages: [{ role: 'user', content: [{ type: 'video_url', video_url: 'x' }] }] }, 'gemini-2.5-flash'),
      (e) => isGatewayError(e) && e.code === 'LLMUX_ERR_INVALID_REQUEST' && e.param === 'messages[0].content[0]',
    );
  });
});

describe('gemini request: options', () => {
  const base: ChatRequest = { model: 'x', messages: [question] };

  it('generationConfig from sampling options; nothing when none is set', () => {
    assert.equal(toGeminiRequest(base, 'gemini-2.5-flash').generationConfig, undefined);
    const g = toGeminiRequest(
      {
        ...base,
        max_tokens: 100,
        max_completion_tokens: 200,
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop: 'END',
        n: 2,
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: 0.25,
      },
      'gemini-2.5-flash',
    ).generationConfig;
    assert.deepEqual(g, {
      maxOutputTokens: 200,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      candidateCount: 2,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
    });
    assert.equal(toGeminiRequest({ ...base, max_tokens: 50, max_completion_tokens: null, stop: ['a', 'b'] }, 'gemini-2.5-flash').generationConfig?.maxOutputTokens, 50);
  });

  it('fields with no Gemini form are not sent', () => {
    const body = toGeminiRequest(
      { ...base, user: 'u1', metadata: { a: 1 }, stream: true, stream_options: { include_usage: true }, parallel_tool_calls: false, logprobs: true },
      'gemini-2.5-flash',
    ) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['contents']);
  });

  it("Gemini's own safetySettings and cachedContent pass through", () => {
    const safety = [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }];
    const body = toGeminiRequest({ ...base, safety_settings: safety, cachedContent: 'cachedContents/abc' }, 'gemini-2.5-flash');
    assert.deepEqual(body.safetySettings, safety);
    assert.equal(body.cachedContent, 'cachedContents/abc');
  });

  it('tool_choice: auto, required, none, named', () => {
    const tc = (tool_choice: ChatRequest['tool_choice']): GeminiRequest['toolConfig'] =>
      toGeminiRequest({ ...base, tools: [getWeather], tool_choice }, 'gemini-2.5-flash').toolConfig;
    assert.deepEqual(tc('auto'), { functionCallingConfig: { mode: 'AUTO' } });
    assert.deepEqual(tc('required'), { functionCallingConfig: { mode: 'ANY' } });
    assert.deepEqual(tc('none'), { functionCallingConfig: { mode: 'NONE' } });
    assert.deepEqual(tc({ type: 'function', function: { name: 'getWeather' } }), { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['getWeather'] } });
    assert.equal(tc(undefined), undefined);
    assert.equal(toGeminiRequest({ ...base, tool_choice: 'required' }, 'gemini-2.5-flash').toolConfig, undefined, 'no tools, no toolConfig');
  });

  it('a tool without parameters is declared without parameters', () => {
    const body = toGeminiRequest({ ...base, tools: [{ type: 'function', function: { name: 'now', description: 'time', parameters: { type: 'object', properties: {} } } }] }, 'gemini-2.5-flash');
    assert.deepEqual(body.tools, [{ functionDeclarations: [{ name: 'now', description: 'time' }] }]);
  });

  it('response_format: json_object, json_schema as JSON Schema (2.5+) or as the cleaned subset (older models)', () => {
    assert.deepEqual(toGeminiRequest({ ...base, response_format: { type: 'json_object' } }, 'gemini-2.5-flash').generationConfig, { responseMimeType: 'application/json' });
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
    const rf = { type: 'json_schema' as const, json_schema: { name: 'r', schema, strict: true } };
    assert.deepEqual(toGeminiRequest({ ...base, response_format: rf }, 'gemini-2.5-flash').generationConfig, { responseMimeType: 'application/json', responseJsonSchema: schema });
    assert.deepEqual(toGeminiRequest({ ...base, response_format: rf }, 'gemini-2.0-flash').generationConfig, {
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['a'] },
    });
    assert.equal(toGeminiRequest({ ...base, response_format: { type: 'text' } }, 'gemini-2.5-flash').generationConfig, undefined);
  });

  it('reasoning_effort: a thinking budget before Gemini 3, a thinking level from Gemini 3 on', () => {
    const think = (effort: string, model: string) => toGeminiRequest({ ...base, reasoning_effort: effort }, model).generationConfig?.thinkingConfig;
    assert.deepEqual(think('low', 'gemini-2.5-flash'), { thinkingBudget: 1024, includeThoughts: true });
    assert.deepEqual(think('medium', 'gemini-2.5-pro'), { thinkingBudget: 8192, includeThoughts: true });
    assert.deepEqual(think('high', 'gemini-2.5-flash'), { thinkingBudget: 24576, includeThoughts: true });
    assert.deepEqual(think('none', 'gemini-2.5-flash'), { thinkingBudget: 0 });
    assert.deepEqual(think('low', 'gemini-3-pro-preview'), { thinkingLevel: 'low', includeThoughts: true });
    assert.deepEqual(think('high', 'gemini-3.1-flash'), { thinkingLevel: 'high', includeThoughts: true });
    assert.deepEqual(think('xhigh', 'gemini-3-pro-preview'), { thinkingLevel: 'high', includeThoughts: true });
    assert.equal(think('none', 'gemini-3-pro-preview'), undefined);
  });

  it('the Anthropic-style thinking extension: an exact budget, dynamic when none is given', () => {
    const think = (thinking: ChatRequest['thinking']) => toGeminiRequest({ ...base, thinking }, 'gemini-3-pro-preview').generationConfig?.thinkingConfig;
    assert.deepEqual(think({ type: 'enabled', budget_tokens: 5000 }), { thinkingBudget: 5000, includeThoughts: true });
    assert.deepEqual(think({ type: 'adaptive' }), { thinkingBudget: -1, includeThoughts: true });
    assert.equal(think({ type: 'disabled' }), undefined);
  });
});
