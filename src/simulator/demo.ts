/**
 * The newcomer's demo: what a first request to a fresh llmux answers when no API key is set.
 * Streamed word by word at reading pace, with plausible usage, so the first thing a user sees
 * behaves like a real model.
 */
import type { SimulatorOptions } from './options.js';

const DEMO_TEXT =
  "Hello! I'm the demo model built into llmux. No real model answered you: llmux simulated this " +
  'reply, so no API key was needed and nothing left your machine. Your request still took the full ' +
  'path through the gateway (authentication, routing, usage tracking), just as it will with a real ' +
  'provider. To talk to one, add a provider to your config file, for example a [providers.openai] ' +
  'table with kind = "openai", api_key = "${OPENAI_API_KEY}" and the models you want, then send ' +
  'your request with one of those model names. Have fun!';

const words = DEMO_TEXT.split(/\s+/).length;

export const DEMO_SIMULATOR: SimulatorOptions = {
  content: DEMO_TEXT,
  // One word per chunk; the OpenAI stream's last chunk carries only finish_reason.
  chunks: words + 1,
  chunk_interval_ms: 40,
  ttfb_ms: 300,
  // About 1.3 tokens per English word, and a short user prompt.
  usage: { prompt_tokens: 14, completion_tokens: Math.round(words * 1.3) },
};
