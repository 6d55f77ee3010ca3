import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { DEMO_SIMULATOR } from './demo.js';
import { startSimulator } from './server.js';

test('the demo streams its reply one word per chunk, to both SDKs', async () => {
  // Same reply and chunking as the demo, without its reading-pace delays.
  const sim = await startSimulator({ preset: 'demo', chunk_interval_ms: 0, ttfb_ms: 0 });
  try {
    const text = DEMO_SIMULATOR.content!;
    const words = text.split(/\s+/);
    const oa = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const s = await oa.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello' }], stream: true, stream_options: { include_usage: true } });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const ch of s) {
      assert.equal(ch.model, 'demo');
      const d = ch.choices[0]?.delta.content;
      if (d) deltas.push(d);
      if (ch.usage) usage = ch.usage;
    }
    assert.equal(deltas.length, words.length);
    assert.ok(deltas.every((d) => /^\S+\s?$/.test(d)), 'one word per chunk');
    assert.equal(deltas.join(''), text);
    assert.equal(usage?.completion_tokens, DEMO_SIMULATOR.usage?.completion_tokens);
    assert.equal(usage?.prompt_tokens, DEMO_SIMULATOR.usage?.prompt_tokens);

    const an = new Anthropic({ baseURL: sim.url, apiKey: 'k', maxRetries: 0 });
    const m = await an.messages.stream({ model: 'demo', max_tokens: 500, messages: [{ role: 'user', content: 'Hello' }] }).finalMessage();
    assert.deepEqual(m.content, [{ type: 'text', text }]);
    const plain = await oa.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(plain.choices[0]?.message.content, text);
  } finally {
    await sim.close();
  }
});
