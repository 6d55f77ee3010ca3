/**
 * Usage from Anthropic traffic that llmux passes through as bytes (an Anthropic client talking
 * to an Anthropic upstream). Only two stream events carry usage: message_start (input and
 * cache counts) and message_delta (output, and on some deployments input again, which wins);
 * the gateway can decode just those frames, naming them with `carriesUsage`.
 */
import type { SSEEvent, Usage } from '../../core/types.js';
import { emptyTotals, mergeUsage, totalsToUsage, wireUsageToCanonical, type UsageTotals } from './usage.js';
import { isObject, type WireUsage } from './wire.js';

/** Whether a stream event of this name (SSE `event:` line) carries usage. */
export function carriesUsage(eventName: string | undefined): boolean {
  return eventName === 'message_start' || eventName === 'message_delta';
}

export interface AnthropicUsageTap {
  /** One stream event: an SSE event (data = JSON) or its parsed payload. Bad JSON is ignored. */
  push(event: SSEEvent | Record<string, unknown>): void;
  /** The usage so far, or undefined when the stream reported none. */
  usage(): Usage | undefined;
}

export function createUsageTap(): AnthropicUsageTap {
  const totals: UsageTotals = emptyTotals();
  return {
    push(event: SSEEvent | Record<string, unknown>): void {
      const rec = event as Record<string, unknown>;
      let payload: unknown = rec;
      if (typeof rec['data'] === 'string' && rec['type'] === undefined) {
        try {
          payload = JSON.parse(rec['data']);
        } catch {
          return; // a tap never breaks a passthrough stream
        }
      }
      if (!isObject(payload)) return;
      if (payload['type'] === 'message_start' && isObject(payload['message'])) {
        mergeUsage(totals, payload['message']['usage'] as WireUsage | undefined);
      } else if (payload['type'] === 'message_delta') {
        mergeUsage(totals, payload['usage'] as WireUsage | undefined);
      }
    },
    usage(): Usage | undefined {
      return totals.seen ? totalsToUsage(totals) : undefined;
    },
  };
}

/** Usage of a whole stream, given its events in order. */
export function usageFromEvents(events: Iterable<SSEEvent | Record<string, unknown>>): Usage | undefined {
  const tap = createUsageTap();
  for (const e of events) tap.push(e);
  return tap.usage();
}

/** Usage of a non-streaming Messages response body (parsed JSON). */
export function usageFromMessage(body: unknown): Usage | undefined {
  if (!isObject(body) || !isObject(body['usage'])) return undefined;
  return wireUsageToCanonical(body['usage'] as WireUsage);
}
