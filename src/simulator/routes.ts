/**
 * The route table: which handler answers a method and path, in which protocol's error envelope.
 * Handlers pick a prepared response; only variable shapes (several embeddings, other
 * dimensions, several images) are serialised per request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { anthropicModelsBody, countTokensBody, messageBody, messageStream } from './anthropic-payloads.js';
import { converseBody, converseStream } from './bedrock-payloads.js';
import { bedrockStreamError, errorBody, SIMULATED_FAILURE, type WireProtocol } from './error-payloads.js';
import * as gemini from './gemini-payloads.js';
import {
  chatBody,
  chatStream,
  completionBody,
  completionStream,
  EMBED_MODEL,
  EmbeddingBodies,
  imagesBody,
  modelsBody,
  speechBody,
  transcriptionBody,
} from './openai-payloads.js';
import type { ResolvedOptions } from './options.js';
import { prepareBody, type Prepared, type PreparedBody, type PreparedStream } from './prepared.js';
import type { SimRoute } from './stats.js';

export interface RequestInfo {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RouteDef {
  readonly route: SimRoute;
  readonly protocol: WireProtocol;
  /** Model lists are health checks: no delay and no injected faults. */
  readonly faults: boolean;
  /** Injected errors arrive inside the open stream (Bedrock's exception frame). */
  readonly streamErrors?: boolean;
  handle(req: RequestInfo): Prepared;
}

/**
 * The prepared responses for one reported model name, each built on first use and then reused:
 * a route nobody calls costs nothing, and a large `response_bytes` is paid once per response kind.
 */
class ModelCanned {
  private readonly memo = new Map<string, Prepared | EmbeddingBodies>();
  private readonly o: ResolvedOptions;

  constructor(o: ResolvedOptions, model: string) {
    this.o = { ...o, model };
  }

  private get<T extends Prepared | EmbeddingBodies>(key: string, build: (o: ResolvedOptions) => T): T {
    let v = this.memo.get(key) as T | undefined;
    if (v === undefined) {
      v = build(this.o);
      this.memo.set(key, v);
    }
    return v;
  }

  chat = (): PreparedBody => this.get('chat', chatBody);
  chatStream = (usage: boolean): PreparedStream => this.get(`chatStream:${usage}`, (o) => chatStream(o, usage));
  completion = (): PreparedBody => this.get('completion', completionBody);
  completionStream = (usage: boolean): PreparedStream => this.get(`completionStream:${usage}`, (o) => completionStream(o, usage));
  embeddings = (): EmbeddingBodies => this.get('embeddings', (o) => new EmbeddingBodies(o, o.model));
  message = (): PreparedBody => this.get('message', messageBody);
  messageStream = (): PreparedStream => this.get('messageStream', messageStream);
  geminiBody = (): PreparedBody => this.get('geminiBody', gemini.generateContentBody);
  geminiSse = (): PreparedStream => this.get('geminiSse', gemini.streamGenerateContentSse);
  geminiArray = (): PreparedStream => this.get('geminiArray', gemini.streamGenerateContentArray);
}

/** Everything that does not vary per request, built once; per-model parts on first use. */
export class Canned {
  readonly speech: PreparedBody;
  readonly transcription: PreparedBody;
  readonly images: PreparedBody;
  readonly models: PreparedBody;
  readonly anthropicModels: PreparedBody;
  readonly countTokens: PreparedBody;
  readonly geminiCountTokens: PreparedBody;
  readonly geminiModels: PreparedBody;
  readonly converse: PreparedBody;
  readonly converseStream: PreparedStream;
  private readonly byModel = new Map<string, ModelCanned>();
  private readonly errors = new Map<string, PreparedBody>();
  private readonly streamErrors = new Map<number, PreparedStream>();

  constructor(readonly o: ResolvedOptions) {
    this.speech = speechBody();
    this.transcription = transcriptionBody(o);
    this.images = prepareBody(200, imagesBody(1, 'b64_json'));
    this.models = modelsBody(o);
    this.anthropicModels = anthropicModelsBody(o);
    this.countTokens = countTokensBody(o);
    this.geminiCountTokens = gemini.countTokensBody(o);
    this.geminiModels = gemini.geminiModelsBody(o);
    this.converse = converseBody(o);
    this.converseStream = converseStream(o);
    for (const status of o.errorStatuses) {
      for (const p of ['openai', 'anthropic', 'gemini', 'bedrock'] as const) {
        this.errors.set(`${p}:${status}`, errorBody(p, status, SIMULATED_FAILURE, o.retryAfterS));
      }
      this.streamErrors.set(status, bedrockStreamError(status, SIMULATED_FAILURE));
    }
    // The benchmark's path is ready before the first request.
    this.for(undefined).chat();
    this.for(undefined).chatStream(false);
    this.for(EMBED_MODEL).embeddings();
  }

  /** The responses reporting `requested` (echoed) or the configured model. */
  for(requested: unknown, fallback = this.o.model): ModelCanned {
    const model = !this.o.fixedModel && typeof requested === 'string' && requested !== '' && requested.length <= 256 ? requested : this.o.fixedModel ? this.o.model : fallback;
    let c = this.byModel.get(model);
    if (c === undefined) {
      if (this.byModel.size >= 64) this.byModel.clear(); // names come from clients: stay bounded
      c = new ModelCanned(this.o, model);
      this.byModel.set(model, c);
    }
    return c;
  }

  /** The injected error for a route: prepared for every configured status. */
  injectedError(def: RouteDef, status: number): Prepared {
    if (def.streamErrors) return this.streamErrors.get(status) ?? bedrockStreamError(status, SIMULATED_FAILURE);
    return this.errors.get(`${def.protocol}:${status}`) ?? errorBody(def.protocol, status, SIMULATED_FAILURE, this.o.retryAfterS);
  }
}

type Json = Record<string, unknown>;

/** The request body as a JSON object, or undefined when it is not one. */
function parseObject(body: Buffer): Json | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

function badRequest(protocol: WireProtocol, message: string, status = 400): PreparedBody {
  return errorBody(protocol, status, message, 0);
}

const INVALID_JSON = 'The request body is not a valid JSON object.';

function includeUsage(req: Json): boolean {
  const so = req['stream_options'];
  return so !== null && typeof so === 'object' && (so as Json)['include_usage'] === true;
}

/** How many embeddings an `input` asks for: one per string or token list in an array. */
function embeddingInputs(input: unknown): number {
  if (Array.isArray(input) && input.length > 0 && (typeof input[0] === 'string' || Array.isArray(input[0]))) return input.length;
  return 1;
}

/** The model segment of a Gemini path `/models/{model}:{action}`. */
function geminiModel(p: string): string {
  return decodeURIComponent(p.slice('/models/'.length, p.lastIndexOf(':')));
}

export function buildRoutes(c: Canned): (method: string, path: string) => RouteDef {
  const o = c.o;
  const def = (route: SimRoute, protocol: WireProtocol, handle: (r: RequestInfo) => Prepared, faults = true): RouteDef => ({ route, protocol, faults, handle });

  const chat = def('chat.completions', 'openai', (r) => {
    const j = parseObject(r.body);
    if (!j) return badRequest('openai', INVALID_JSON);
    const m = c.for(j['model']);
    return j['stream'] === true ? m.chatStream(includeUsage(j)) : m.chat();
  });
  const completions = def('completions', 'openai', (r) => {
    const j = parseObject(r.body);
    if (!j) return badRequest('openai', INVALID_JSON);
    const m = c.for(j['model']);
    return j['stream'] === true ? m.completionStream(includeUsage(j)) : m.completion();
  });
  const embeddings = def('embeddings', 'openai', (r) => {
    const j = parseObject(r.body);
    if (!j) return badRequest('openai', INVALID_JSON);
    const dimsRaw = j['dimensions'];
    if (dimsRaw !== undefined && (typeof dimsRaw !== 'number' || !Number.isInteger(dimsRaw) || dimsRaw < 1 || dimsRaw > 65_536)) {
      return badRequest('openai', 'dimensions must be a whole number from 1 to 65536.');
    }
    const dims = (dimsRaw as number | undefined) ?? o.embeddingDims;
    const format = j['encoding_format'] === 'base64' ? 'base64' : 'float';
    const inputs = embeddingInputs(j['input']);
    // Embeddings always echo the request's model: `model` fixes the chat model only.
    const bodies = c.for(o.fixedModel ? EMBED_MODEL : j['model'], EMBED_MODEL).embeddings();
    if (inputs === 1 && dims === o.embeddingDims && format === 'float') return bodies.default;
    return prepareBody(200, bodies.build(inputs, dims, format));
  });
  const images = def('images.generations', 'openai', (r) => {
    const j = parseObject(r.body);
    if (!j) return badRequest('openai', INVALID_JSON);
    const n = typeof j['n'] === 'number' && Number.isInteger(j['n']) ? j['n'] : 1;
    if (n < 1 || n > 10) return badRequest('openai', 'n must be from 1 to 10.');
    const format = j['response_format'] === 'url' ? 'url' : 'b64_json';
    return n === 1 && format === 'b64_json' ? c.images : prepareBody(200, imagesBody(n, format));
  });
  const speech = def('audio.speech', 'openai', () => c.speech);
  // Multipart upload: the body is read (and counted) but not parsed.
  const transcriptions = def('audio.transcriptions', 'openai', () => c.transcription);
  // Anthropic's SDK lists models at the same path; its anthropic-version header tells them apart.
  const models = def('models', 'openai', (r) => (r.headers['anthropic-version'] !== undefined ? c.anthropicModels : c.models), false);
  const messages = def('messages', 'anthropic', (r) => {
    const j = parseObject(r.body);
    if (!j) return badRequest('anthropic', INVALID_JSON);
    const m = c.for(j['model']);
    return j['stream'] === true ? m.messageStream() : m.message();
  });
  const countTokens = def('messages.count_tokens', 'anthropic', () => c.countTokens);
  const geminiGenerate = def('gemini.generateContent', 'gemini', (r) => c.for(geminiModel(r.path.slice(r.path.indexOf('/models/')))).geminiBody());
  const geminiStream = def('gemini.streamGenerateContent', 'gemini', (r) => {
    const m = c.for(geminiModel(r.path.slice(r.path.indexOf('/models/'))));
    return /(^|&)alt=sse(&|$)/.test(r.query) ? m.geminiSse() : m.geminiArray();
  });
  const geminiCount = def('gemini.countTokens', 'gemini', () => c.geminiCountTokens);
  const geminiModels = def('gemini.models', 'gemini', () => c.geminiModels, false);
  const converse = def('bedrock.converse', 'bedrock', () => c.converse);
  const converseStreamRoute: RouteDef = { ...def('bedrock.converse-stream', 'bedrock', () => c.converseStream), streamErrors: true };

  const notFound = (protocol: WireProtocol, method: string, path: string): RouteDef =>
    def('not_found', protocol, () => badRequest(protocol, `Unknown request URL: ${method} ${path}`, 404), false);

  // Paths with and without the /v1 prefix: base URLs are configured both ways.
  const table = new Map<string, RouteDef>([
    ['POST /chat/completions', chat],
    ['POST /completions', completions],
    ['POST /embeddings', embeddings],
    ['POST /images/generations', images],
    ['POST /audio/speech', speech],
    ['POST /audio/transcriptions', transcriptions],
    ['GET /models', models],
    ['POST /messages', messages],
    ['POST /messages/count_tokens', countTokens],
  ]);
  const geminiActions = new Map<string, RouteDef>([
    ['generateContent', geminiGenerate],
    ['streamGenerateContent', geminiStream],
    ['countTokens', geminiCount],
  ]);

  return (method, path) => {
    // Bedrock: /model/{modelId}/converse and /converse-stream (the id may hold encoded colons).
    if (path.startsWith('/model/')) {
      if (method === 'POST') {
        if (path.endsWith('/converse-stream')) return converseStreamRoute;
        if (path.endsWith('/converse')) return converse;
      }
      return notFound('bedrock', method, path);
    }
    let p = path;
    let geminiVersion = false;
    if (p.startsWith('/v1beta/') || p.startsWith('/v1alpha/')) {
      p = p.slice(p.indexOf('/', 1));
      geminiVersion = true;
    } else if (p.startsWith('/v1/')) {
      p = p.slice(3);
    }
    // Gemini: /models/{model}:{action} (under /v1beta, /v1, or no version).
    if (p.startsWith('/models/') && p.includes(':')) {
      const action = p.slice(p.lastIndexOf(':') + 1);
      const r = method === 'POST' ? geminiActions.get(action) : undefined;
      return r ?? notFound('gemini', method, path);
    }
    if (geminiVersion) return method === 'GET' && p === '/models' ? geminiModels : notFound('gemini', method, path);
    return table.get(`${method} ${p}`) ?? notFound(p.startsWith('/messages') ? 'anthropic' : 'openai', method, path);
  };
}
