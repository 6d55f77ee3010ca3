/**
 * Every command and flag the CLI knows, in one table. The parser, the help text and the request
 * builders all read it, so a flag cannot be accepted but undocumented, or documented but ignored.
 */

/** How a flag's value is read. */
export type FlagKind =
  | 'string'
  /** Comma-separated list: `--models a,b`. */
  | 'list'
  /** Whole number ≥ 0. */
  | 'count'
  /** Whole number ≥ 1. */
  | 'positive'
  /** Seconds, ≥ 0, fractions allowed. */
  | 'seconds'
  /** Takes no value. */
  | 'switch'
  /** A string that may be given several times. */
  | 'repeat';

export interface FlagSpec {
  /** Without the leading `--`. */
  readonly name: string;
  readonly kind: FlagKind;
  /** The JSON field the value is sent as, where it maps to one. */
  readonly field?: string;
  /** Placeholder in help, e.g. `N`. */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly group: 'keys' | 'providers';
  readonly action: 'list' | 'get' | 'create' | 'update' | 'delete';
  /** Required positional arguments, by name. */
  readonly args: readonly string[];
  readonly flags: readonly FlagSpec[];
  readonly summary: string;
}

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'url', kind: 'string', value: 'URL', help: 'gateway address (default: LLMUX_URL, then listen in the config file, then http://127.0.0.1:5632)' },
  { name: 'token', kind: 'string', value: 'TOKEN', help: 'admin token (default: LLMUX_TOKEN, then admin_token in the config file)' },
  { name: 'config', kind: 'string', value: 'PATH', help: 'config file to read listen/admin_token from (default: ./llmux.toml, else ./crabllm.toml)' },
  { name: 'json', kind: 'switch', help: "print the server's JSON answer as is (pretty-printed)" },
  { name: 'v', kind: 'switch', help: 'print each request (method, URL, status) to stderr; -vv adds headers and bodies, secrets hidden' },
  { name: 'help', kind: 'switch', help: 'show help; after a command, that command\'s flags' },
];

const KEY_FLAGS: readonly FlagSpec[] = [
  { name: 'models', kind: 'list', field: 'models', value: 'a,b', help: 'models the key may use ("*" = all; server default ["*"])' },
  { name: 'rpm', kind: 'positive', field: 'requests_per_minute', value: 'N', help: 'requests per minute limit' },
  { name: 'tpm', kind: 'positive', field: 'tokens_per_minute', value: 'N', help: 'tokens per minute limit' },
];

const PROVIDER_FLAGS: readonly FlagSpec[] = [
  { name: 'kind', kind: 'string', field: 'kind', value: 'KIND', help: 'openai, anthropic, google, bedrock, azure, ollama, or any name for an OpenAI-compatible service (server default openai)' },
  { name: 'api-key', kind: 'string', field: 'api_key', value: 'KEY', help: 'secret sent to the provider (never printed back)' },
  { name: 'base-url', kind: 'string', field: 'base_url', value: 'URL', help: "override of the kind's default URL" },
  { name: 'models', kind: 'list', field: 'models', value: 'a,b', help: 'models this provider serves (on create, omit to discover them from the provider)' },
  { name: 'weight', kind: 'count', field: 'weight', value: 'N', help: 'weight in the random choice among providers of a model' },
  { name: 'max-retries', kind: 'count', field: 'max_retries', value: 'N', help: 'extra attempts after the first, on transient failures' },
  { name: 'timeout', kind: 'seconds', field: 'timeout', value: 'SECONDS', help: 'time to the first byte of the answer, per attempt (0 disables)' },
  { name: 'connect-timeout', kind: 'seconds', field: 'connect_timeout', value: 'SECONDS', help: 'time to open the connection (0 disables)' },
  { name: 'idle-timeout', kind: 'seconds', field: 'idle_timeout', value: 'SECONDS', help: 'longest silence inside a response or stream (0 disables)' },
  { name: 'total-timeout', kind: 'seconds', field: 'total_timeout', value: 'SECONDS', help: 'whole request across every attempt (0 disables)' },
  { name: 'api-version', kind: 'string', field: 'api_version', value: 'VERSION', help: 'Azure api-version' },
  { name: 'region', kind: 'string', field: 'region', value: 'REGION', help: 'Bedrock region' },
  { name: 'access-key', kind: 'string', field: 'access_key', value: 'ID', help: 'Bedrock access key id' },
  { name: 'secret-key', kind: 'string', field: 'secret_key', value: 'SECRET', help: 'Bedrock secret access key (never printed back)' },
  { name: 'session-token', kind: 'string', field: 'session_token', value: 'TOKEN', help: 'Bedrock STS session token (never printed back)' },
];

/** Provider fields `--clear` may set to null (name, kind and models cannot be cleared). */
export const CLEARABLE_PROVIDER_FIELDS: readonly string[] = [
  'api_key', 'base_url', 'api_version', 'region', 'access_key', 'secret_key', 'session_token',
  'weight', 'max_retries', 'timeout', 'connect_timeout', 'idle_timeout', 'total_timeout', 'headers',
];

export const COMMANDS: readonly CommandSpec[] = [
  { group: 'keys', action: 'list', args: [], flags: [], summary: 'list virtual keys (from the config file and created at run time)' },
  { group: 'keys', action: 'get', args: ['name'], flags: [], summary: "show one key (its secret's prefix only)" },
  { group: 'keys', action: 'create', args: ['name'], flags: KEY_FLAGS, summary: 'create a key and print its secret, once' },
  {
    group: 'keys',
    action: 'update',
    args: ['name'],
    flags: [
      ...KEY_FLAGS.map((f) => (f.name === 'models' ? { ...f, help: 'replace the models the key may use' } : f)),
      { name: 'clear-rate-limit', kind: 'switch', help: "remove the key's rate limit" },
    ],
    summary: 'change models or rate limit; --rpm or --tpm alone keeps the other',
  },
  { group: 'keys', action: 'delete', args: ['name'], flags: [], summary: 'delete a key created at run time' },
  { group: 'providers', action: 'list', args: [], flags: [], summary: 'list providers (from the config file and created at run time)' },
  { group: 'providers', action: 'get', args: ['name'], flags: [], summary: 'show one provider' },
  { group: 'providers', action: 'create', args: ['name'], flags: PROVIDER_FLAGS, summary: 'add a provider' },
  {
    group: 'providers',
    action: 'update',
    args: ['name'],
    flags: [
      ...PROVIDER_FLAGS,
      { name: 'clear', kind: 'repeat', value: 'FIELD', help: `reset a field to its default (repeatable): ${CLEARABLE_PROVIDER_FIELDS.join(', ')}` },
    ],
    summary: 'change a provider; only the fields given are sent',
  },
  { group: 'providers', action: 'delete', args: ['name'], flags: [], summary: 'delete a provider created at run time' },
];

export const GROUPS = ['keys', 'providers'] as const;

export function findCommand(group: string, action: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.group === group && c.action === action);
}

/** Every flag any command takes, by name, so the parser knows which flags take a value. */
export function allCommandFlags(): Map<string, FlagSpec> {
  const out = new Map<string, FlagSpec>();
  for (const c of COMMANDS) for (const f of c.flags) if (!out.has(f.name)) out.set(f.name, f);
  return out;
}
