/**
 * Streams that fail after the 200, built from recorded pieces: the first events of a recorded
 * stream, then the provider's error in its in-stream form (Gemini and OpenAI: an `error` object
 * as an SSE data event; Bedrock: an exception frame). The recorded set has such a failure only
 * for Anthropic, so these are assembled in each provider's real framing.
 */
import { readFixture, readFixtureText } from '../testing/fixtures.js';
import { bedrockException, bedrockFrame, type WireBody } from './replay.js';

/** The first `n` SSE events of a recorded stream (separators as recorded). */
function firstEvents(rel: string, n: number, sep: string): string {
  return readFixtureText(rel).split(sep).slice(0, n).join(sep) + sep;
}

export const MID_STREAM_TEXT = {
  gemini: "Okay, let's create a Tetris game in Python for the console!",
  bedrock: 'Let me count the "',
  openai: '{"city',
} as const;

/** The first event of a recorded Gemini text stream, then the recorded 429 body as an event. */
export function geminiTextThenError(): WireBody {
  const head = firstEvents('gemini/streamGenerateContent-sse-raw-multi-event.trimmed.sse.txt', 1, '\n\n');
  const err = JSON.stringify(JSON.parse(readFixture('gemini/error-429-RESOURCE_EXHAUSTED-retryinfo.json').toString('utf8')));
  return { contentType: 'text/event-stream', body: Buffer.from(`${head}data: ${err}\r\n\r\n`) };
}

/** A recorded Bedrock text stream's first events, then a throttlingException frame. */
export function bedrockTextThenThrottle(): WireBody {
  return {
    contentType: 'application/vnd.amazon.eventstream',
    body: Buffer.concat([
      bedrockFrame({ messageStart: { role: 'assistant' } }),
      bedrockFrame({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Let' } } }),
      bedrockFrame({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' me count the "' } } }),
      bedrockException('throttlingException', 'Too many requests, please wait before trying again.'),
    ]),
  };
}

/** A recorded OpenAI stream's first three events, then an error object as a data event. */
export function openaiTextThenError(): WireBody {
  const head = firstEvents('openai/chat-stream-include_usage-raw.sse.txt', 3, '\n\n');
  const err = JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
  return { contentType: 'text/event-stream', body: Buffer.from(`${head}data: ${err}\n\n`) };
}
