/**
 * undici's Agent, loaded without the rest of the package. `import 'undici'` evaluates ~110
 * modules (fetch, WebSocket, EventSource, cache stores, mock agents) and, through its cookie
 * helpers touching `globalThis.Headers`, Node's own bundled copy of undici as well. The hot path
 * uses only Agent → Pool → Client and `dispatcher.request`; loading those directly takes 31
 * modules, 8 MB less RSS when imported alone and 3–4 MB less in a running gateway process.
 *
 * The paths are undici's internal layout (the package has no `exports` map, so Node resolves
 * them). If an upgrade moves them, the full package is loaded instead and `leanUndici` says so;
 * a test asserts it, so such an upgrade fails CI rather than silently costing the memory back.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const require = createRequire(import.meta.url);

function load(): { Agent: typeof Undici.Agent; lean: boolean } {
  try {
    const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
    const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
    const api = require('undici/lib/api/index.js') as Record<string, unknown>;
    // What undici's index.js does to give every dispatcher request(), stream(), pipeline()...
    Object.assign(Dispatcher.prototype, api);
    if (typeof Agent === 'function' && typeof Agent.prototype.request === 'function') return { Agent, lean: true };
  } catch {
    // fall through to the whole package
  }
  return { Agent: (require('undici') as typeof Undici).Agent, lean: false };
}

const loaded = load();

export const Agent: typeof Undici.Agent = loaded.Agent;
export type Agent = Undici.Agent;
/** Whether the Agent came from undici's internal modules rather than the whole package. */
export const leanUndici: boolean = loaded.lean;
