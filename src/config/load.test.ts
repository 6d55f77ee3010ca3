import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, editDistance, expandEnv, loadConfigFile, loadModelFile, parseConfig, suggest } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'llmux-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function writeConfig(toml: string, name = `c${++n}.toml`): string {
  const path = join(dir, name);
  writeFileSync(path, toml);
  return path;
}

/** The ConfigError's message, failing the test if something else (or nothing) was thrown. */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

describe('environment expansion', () => {
  it('${VAR} and ${VAR:-default} in values, several per string', () => {
    const env = { OPENAI_API_KEY: 'sk-live-123', HOST: 'llm.internal', EMPTY: '' };
    const { config, warnings } = parseConfig(
      {
        providers: {
          openai: {
            api_key: '${OPENAI_API_KEY}',
            base_url: 'https://${HOST}:${PORT:-8443}/v1',
            api_version: '${EMPTY:-2024-10-21}',
            models: ['${MODEL:-gpt-4o}', 'gpt-4o-mini'],
          },
        },
      },
      'test.toml',
      env,
    );
    const p = config.providers['openai'];
    assert.equal(p?.api_key, 'sk-live-123');
    assert.equal(p?.base_url, 'https://llm.internal:8443/v1');
    assert.equal(p?.api_version, '2024-10-21', 'an empty variable takes the default, as in the shell');
    assert.deepEqual(p?.models, ['gpt-4o', 'gpt-4o-mini']);
    assert.deepEqual(warnings, []);
  });

  it('an unset variable without a default becomes empty, with a warning naming the key path', () => {
    const { config, warnings } = parseConfig(
      {
        providers: { anthropic: { kind: 'anthropic', api_key: '${ANTHROPIC_API_KEY}', models: ['claude-sonnet-4-5'] } },
        keys: [{ name: 'k', key: 'sk-k', models: ['claude-*', '${EXTRA_MODEL}'] }],
      },
      'llmux.toml',
      {},
    );
    assert.equal(config.providers['anthropic']?.api_key, '');
    assert.deepEqual(warnings, [
      'llmux.toml: providers.anthropic.api_key: environment variable ANTHROPIC_API_KEY is not set; using an empty value',
      'llmux.toml: keys[0].models[1]: environment variable EXTRA_MODEL is not set; using an empty value',
    ]);
    assert.deepEqual(config.keys[0]?.models, ['claude-*', '']);
  });

  it('expands after parsing: a value with quotes, newlines or TOML syntax cannot change the file', () => {
    const tricky = 'a"b\nc = 1\n[x]\\';
    const path = writeConfig('[providers.openai]\napi_key = "${TRICKY}"\nmodels = ["gpt-4o"]\n');
    const { config } = loadConfigFile(path, { TRICKY: tricky });
    assert.equal(config.providers['openai']?.api_key, tricky);
    assert.deepEqual(Object.keys(config.providers), ['openai']);
  });

  it('leaves keys, non-strings, $VAR without braces and unclosed ${ alone', () => {
    const env = { NAME: 'expanded', V: 'value' };
    const out = expandEnv({ '${NAME}': '$V and ${V', n: 5, b: true, list: [1, '${V}'] }, env, '', []);
    assert.deepEqual(out, { '${NAME}': '$V and ${V', n: 5, b: true, list: [1, 'value'] });
  });
});

describe('validation errors', () => {
  it('an unknown key names its path and suggests the right one', () => {
    const msg = configError(() => parseConfig({ providers: { openai: { api_kye: 'sk', models: ['gpt-4o'] } } }, 'llmux.toml', {}));
    assert.match(msg, /^llmux\.toml: invalid config\n/);
    assert.ok(msg.includes('providers.openai.api_kye: unknown key; did you mean "api_key"?'), msg);
  });

  it('suggestions work at the top level, inside [[keys]] and in extensions', () => {
    const msg = configError(() =>
      parseConfig(
        {
          listn: '127.0.0.1:1',
          keys: [{ name: 'a', key: 'sk-a', modles: ['*'] }],
          extensions: {
            ratelimit: { requests_per_minute: 5 },
            cache: { ttl_secnds: 5 },
            budget: { default_budget: 1, keys: { alice: { budgt: 2 } } },
          },
        },
        'f.toml',
        {},
      ),
    );
    assert.ok(msg.includes('listn: unknown key; did you mean "listen"?'), msg);
    assert.ok(msg.includes('keys[0].modles: unknown key; did you mean "models"?'), msg);
    assert.ok(msg.includes('extensions.ratelimit: unknown key; did you mean "rate_limit"?'), msg);
    assert.ok(msg.includes('extensions.cache.ttl_secnds: unknown key; did you mean "ttl_seconds"?'), msg);
    // Through a table of names (a record) too.
    assert.ok(msg.includes('extensions.budget.keys.alice.budgt: unknown key; did you mean "budget"?'), msg);
  });

  it('an unknown key with no close match lists the valid ones', () => {
    const msg = configError(() => parseConfig({ storage: { kind: 'sqlite', flavour: 'x' } }, 'f.toml', {}));
    assert.ok(msg.includes('storage.flavour: unknown key; expected one of kind, path'), msg);
  });

  it('a wrong type names the path and what was expected', () => {
    const msg = configError(() =>
      parseConfig(
        {
          providers: { openai: { timeout: '30', models: 'gpt-4o', weight: -1 } },
          keys: [{ name: 5, key: 'sk-x' }],
          storage: { kind: 'postgres' },
          shutdown_timeout: 'soon',
        },
        'f.toml',
        {},
      ),
    );
    const lines = msg.split('\n').slice(1).map((l) => l.trim());
    const at = (path: string): string | undefined => lines.find((l) => l.startsWith(`${path}: `));
    assert.equal(at('providers.openai.timeout'), 'providers.openai.timeout: expected timeout in seconds (a number)');
    assert.match(at('providers.openai.models') ?? '', /expected array, received string/);
    assert.match(at('providers.openai.weight') ?? '', />=\s*0/);
    assert.equal(at('keys[0].name'), 'keys[0].name: expected a key name');
    assert.equal(at('storage.kind'), 'storage.kind: expected "memory", "sqlite" or "redis"');
    assert.equal(at('shutdown_timeout'), 'shutdown_timeout: expected shutdown_timeout in seconds (a number)');
  });

  it('checks that span keys: duplicate names and secrets, admin token reuse, self-aliases, listen', () => {
    const msg = configError(() =>
      parseConfig(
        {
          admin_token: 'sk-admin',
          listen: 'localhost',
          keys: [
            { name: 'a', key: 'sk-1' },
            { name: 'a', key: 'sk-1' },
            { name: 'b', key: 'sk-admin' },
          ],
          aliases: { fast: 'fast' },
        },
        'f.toml',
        {},
      ),
    );
    assert.ok(msg.includes('keys[1].name: duplicate key name "a"'), msg);
    assert.ok(msg.includes('keys[1].key: the same secret is used by two keys'), msg);
    assert.ok(msg.includes('keys[2].key: a virtual key cannot equal admin_token'), msg);
    assert.ok(msg.includes('aliases.fast: an alias cannot point to itself'), msg);
    assert.ok(msg.includes('listen: expected "host:port", got "localhost"'), msg);
  });

  it('invalid TOML names the file, line and column; a missing file names the file', () => {
    const path = writeConfig('listen = "127.0.0.1:5632"\n[providers.openai\nkind = "openai"\n');
    const msg = configError(() => loadConfigFile(path, {}));
    assert.match(msg, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: invalid TOML`));
    const missing = join(dir, 'nope.toml');
    assert.match(configError(() => loadConfigFile(missing, {})), new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read config file`));
  });

  it('a top level that is not a table is an error', () => {
    assert.match(configError(() => parseConfig([], 'f.toml', {})), /f\.toml: expected a table at the top level/);
  });
});

describe('keys crabllm documented but never read', () => {
  it('load with a warning each, naming the key and the option to use', () => {
    const path = writeConfig(`
[pricing]
"gpt-4o" = { prompt = 2.5 }

[extensions.logging]
level = "debug"

[extensions.cache]
ttl = 60

[extensions.rate_limit]
rpm = 10
tpm = 1000
requests_per_minute = 10

[extensions.budget]
default_limit = 5.0
`);
    const { config, warnings } = loadConfigFile(path, {});
    assert.deepEqual(
      warnings.map((w) => w.slice(path.length + 2)),
      [
        'pricing: ignored (crabllm documented it but never read it); use [models.<name>.pricing] instead',
        'extensions.logging.level: ignored (crabllm documented it but never read it); logging verbosity is set with -v/-vv or log_level',
        'extensions.cache.ttl: ignored (crabllm documented it but never read it); the option is ttl_seconds',
        'extensions.rate_limit.rpm: ignored (crabllm documented it but never read it); the option is requests_per_minute',
        'extensions.rate_limit.tpm: ignored (crabllm documented it but never read it); the option is tokens_per_minute',
        'extensions.budget.default_limit: ignored (crabllm documented it but never read it); the option is default_budget',
      ],
    );
    assert.ok(warnings.every((w) => w.startsWith(`${path}: `)));
    assert.deepEqual(config.extensions?.cache, { ttl_seconds: 300 }, 'ttl was not taken for ttl_seconds');
    assert.deepEqual(config.extensions?.rate_limit, { requests_per_minute: 10 });
    assert.deepEqual(config.extensions?.logging, {});
  });
});

describe('a crabllm.toml with every field crabllm reads', () => {
  it('loads unchanged, with defaults, relative paths and cloud_models merged', () => {
    const confDir = join(dir, 'crab');
    mkdirSync(join(confDir, 'models'), { recursive: true });
    writeFileSync(
      join(confDir, 'models', 'cloud.toml'),
      `
["gpt-4o"]
context_length = 128000
vision = true

["gpt-4o".pricing]
prompt_cost_per_million = 2.5
completion_cost_per_million = 10.0

["claude-sonnet-4-5"]
context_length = 200000
vision = true
pricing = { prompt_cost_per_million = 3.0, completion_cost_per_million = 15.0 }

["deepseek-chat"]
context_length = 65536
pricing = { prompt_cost_per_million = 0.27, completion_cost_per_million = 1.1 }
`,
    );
    const path = join(confDir, 'crabllm.toml');
    writeFileSync(
      path,
      `# crabllm.toml, as crabllm init writes it and its docs describe
listen = "0.0.0.0:5632"
admin_token = "sk-\${ADMIN_TOKEN_HEX}"
shutdown_timeout = 15
openapi = false
cloud_models = "models/cloud.toml"

[storage]
kind = "sqlite"
path = "data/crabllm.db"

[providers.openai]
kind = "openai"
api_key = "\${OPENAI_API_KEY}"
base_url = "https://api.openai.com/v1"
models = ["gpt-4o", "gpt-4o-mini"]
weight = 3
max_retries = 4
timeout = 45

[providers.anthropic]
kind = "anthropic"
api_key = "\${ANTHROPIC_API_KEY}"
models = ["claude-sonnet-4-5"]

[providers.gemini]
kind = "google"
api_key = "\${GEMINI_API_KEY}"
models = ["gemini-2.5-flash"]

[providers.azure]
kind = "azure"
api_key = "\${AZURE_OPENAI_KEY}"
base_url = "https://example.openai.azure.com"
api_version = "2024-02-15-preview"
models = ["gpt-4o"]
weight = 1

[providers.bedrock]
kind = "bedrock"
region = "us-east-1"
access_key = "\${AWS_ACCESS_KEY_ID}"
secret_key = "\${AWS_SECRET_ACCESS_KEY}"
models = ["anthropic.claude-3-5-sonnet-20240620-v1:0"]

[providers.local]
kind = "ollama"
base_url = "http://localhost:11434/v1"
models = ["qwen3:32b"]
timeout = 0

[providers.together]
kind = "together"
api_key = "\${TOGETHER_API_KEY}"
base_url = "https://api.together.xyz/v1"
models = ["meta-llama/Llama-3-70b-chat-hf"]

[[keys]]
name = "default"
key = "sk-default-0123456789abcdef"
models = ["*"]

[[keys]]
name = "team-a"
key = "sk-team-a"
models = ["gpt-4o", "claude-*"]
rate_limit = { requests_per_minute = 60, tokens_per_minute = 100000 }

[aliases]
fast = "gpt-4o-mini"
smart = "claude-sonnet-4-5"

[models."gpt-4o"]
context_length = 64000

[models."openai/gpt-4o-mini"]
context_length = 128000
vision = true
pricing = { prompt_cost_per_million = 0.15, completion_cost_per_million = 0.6 }

[extensions]
rate_limit = { requests_per_minute = 60, tokens_per_minute = 200000 }
usage = {}
audit = {}
logging = {}
cache = { ttl_seconds = 120 }

[extensions.budget]
default_budget = 10.0

[extensions.budget.keys.team-a]
budget = 2.5
`,
    );
    const env = {
      ADMIN_TOKEN_HEX: 'abc123',
      OPENAI_API_KEY: 'sk-openai',
      ANTHROPIC_API_KEY: 'sk-ant',
      GEMINI_API_KEY: 'gm-key',
      AZURE_OPENAI_KEY: 'az-key',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      TOGETHER_API_KEY: 'tg-key',
    };
    const { config, warnings, path: loadedFrom } = loadConfigFile(path, env);
    assert.deepEqual(warnings, []);
    assert.equal(loadedFrom, path);

    assert.equal(config.listen, '0.0.0.0:5632');
    assert.equal(config.admin_token, 'sk-abc123');
    assert.equal(config.shutdown_timeout, 15);
    assert.equal(config.openapi, false);
    assert.deepEqual(config.storage, { kind: 'sqlite', path: join(confDir, 'data', 'crabllm.db') });

    assert.deepEqual(Object.keys(config.providers), ['openai', 'anthropic', 'gemini', 'azure', 'bedrock', 'local', 'together']);
    const openai = config.providers['openai']!;
    assert.equal(openai.kind, 'openai');
    assert.equal(openai.api_key, 'sk-openai');
    assert.equal(openai.base_url, 'https://api.openai.com/v1');
    assert.deepEqual(openai.models, ['gpt-4o', 'gpt-4o-mini']);
    assert.equal(openai.weight, 3);
    assert.equal(openai.max_retries, 4);
    assert.equal(openai.timeout, 45);
    // Fields crabllm has no equivalent for take llmux's defaults.
    assert.equal(openai.connect_timeout, 10);
    assert.equal(openai.idle_timeout, 60);
    assert.equal(openai.total_timeout, 600);

    const anthropic = config.providers['anthropic']!;
    assert.equal(anthropic.kind, 'anthropic');
    assert.equal(anthropic.api_key, 'sk-ant');
    assert.equal(anthropic.weight, 1);
    assert.equal(anthropic.max_retries, 2);
    assert.equal(anthropic.timeout, 30);
    assert.equal(config.providers['gemini']?.kind, 'google');
    assert.equal(config.providers['azure']?.api_version, '2024-02-15-preview');
    assert.equal(config.providers['azure']?.base_url, 'https://example.openai.azure.com');
    const bedrock = config.providers['bedrock']!;
    assert.deepEqual(
      [bedrock.region, bedrock.access_key, bedrock.secret_key],
      ['us-east-1', 'AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG'],
    );
    assert.equal(config.providers['local']?.timeout, 0);
    assert.equal(config.providers['together']?.kind, 'together');

    assert.deepEqual(config.keys, [
      { name: 'default', key: 'sk-default-0123456789abcdef', models: ['*'] },
      { name: 'team-a', key: 'sk-team-a', models: ['gpt-4o', 'claude-*'], rate_limit: { requests_per_minute: 60, tokens_per_minute: 100000 } },
    ]);
    assert.deepEqual(config.aliases, { fast: 'gpt-4o-mini', smart: 'claude-sonnet-4-5' });

    // cloud_models merged in; the config's own entry for gpt-4o wins over the file's, whole.
    assert.deepEqual(config.models['gpt-4o'], { context_length: 64000 });
    assert.deepEqual(config.models['claude-sonnet-4-5'], {
      context_length: 200000,
      vision: true,
      pricing: { prompt_cost_per_million: 3.0, completion_cost_per_million: 15.0 },
    });
    assert.deepEqual(config.models['deepseek-chat']?.pricing, { prompt_cost_per_million: 0.27, completion_cost_per_million: 1.1 });
    assert.deepEqual(config.models['openai/gpt-4o-mini'], {
      context_length: 128000,
      vision: true,
      pricing: { prompt_cost_per_million: 0.15, completion_cost_per_million: 0.6 },
    });
    assert.deepEqual(Object.keys(config.models).sort(), ['claude-sonnet-4-5', 'deepseek-chat', 'gpt-4o', 'openai/gpt-4o-mini']);

    assert.deepEqual(config.extensions, {
      rate_limit: { requests_per_minute: 60, tokens_per_minute: 200000 },
      usage: {},
      audit: {},
      logging: {},
      cache: { ttl_seconds: 120 },
      budget: { default_budget: 10.0, keys: { 'team-a': { budget: 2.5 } } },
    });
  });

  it('the smallest file gets every default', () => {
    const { config, warnings } = loadConfigFile(writeConfig(''), {});
    assert.deepEqual(warnings, []);
    assert.equal(config.listen, '127.0.0.1:5632');
    assert.deepEqual(config.providers, {});
    assert.deepEqual(config.keys, []);
    assert.deepEqual(config.storage, { kind: 'memory' });
    assert.equal(config.shutdown_timeout, 30);
    assert.equal(config.openapi, true);
    assert.equal(config.admin_token, undefined);
    assert.equal(config.extensions, undefined);
  });

  it('a redis URL is not taken for a relative path; an absolute sqlite path stays', () => {
    const redis = loadConfigFile(writeConfig('[storage]\nkind = "redis"\npath = "redis://10.0.0.5:6379/2"\n'), {});
    assert.equal(redis.config.storage.path, 'redis://10.0.0.5:6379/2');
    const abs = loadConfigFile(writeConfig('[storage]\nkind = "sqlite"\npath = "/var/lib/llmux/state.db"\n'), {});
    assert.equal(abs.config.storage.path, '/var/lib/llmux/state.db');
  });

  it('a broken cloud_models file is an error naming it and the model', () => {
    const models = join(dir, 'bad-models.toml');
    writeFileSync(models, '["gpt-4o"]\ncontext_length = "big"\n');
    const msg = configError(() => loadModelFile(models));
    assert.ok(msg.startsWith(`${models}: gpt-4o: context_length:`), msg);
    const path = writeConfig(`cloud_models = ${JSON.stringify(join(dir, 'missing-models.toml'))}\n`);
    assert.match(configError(() => loadConfigFile(path, {})), /missing-models\.toml: cannot load model metadata/);
  });
});

describe('suggestions', () => {
  it('edit distance and the closest candidate within reach', () => {
    assert.equal(editDistance('api_kye', 'api_key'), 2);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kind', 'kind'), 0);
    assert.equal(suggest('api_kye', ['kind', 'api_key', 'base_url']), 'api_key');
    assert.equal(suggest('BASE_URL', ['kind', 'api_key', 'base_url']), 'base_url');
    assert.equal(suggest('zzzzzzzz', ['kind', 'api_key', 'base_url']), undefined);
  });
});
