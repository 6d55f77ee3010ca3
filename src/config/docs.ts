/**
 * docs/configuration.md, generated from the schema so the reference cannot drift from the code
 * (`node scripts/gen-config-docs.mjs` writes it; a test fails when it is stale).
 */
import { z } from 'zod';
import { ConfigSchema, DOCUMENTED_BUT_IGNORED, ExtensionsSchema, KeySchema, ModelInfoSchema, ProviderSchema, StorageSchema } from './schema.js';
import { KINDS } from './kinds.js';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  additionalProperties?: JsonSchemaNode | boolean;
  anyOf?: JsonSchemaNode[];
}

function typeOf(n: JsonSchemaNode): string {
  if (n.enum) return n.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (n.anyOf) return n.anyOf.map(typeOf).join(' \\| ');
  if (n.type === 'array') return `array of ${n.items ? typeOf(n.items) : 'any'}`;
  if (n.type === 'object' && n.additionalProperties && typeof n.additionalProperties === 'object' && !n.properties) return `table of ${typeOf(n.additionalProperties)}`;
  if (Array.isArray(n.type)) return n.type.join(' \\| ');
  return n.type ?? 'any';
}

function table(schema: z.ZodType, skip: string[] = []): string {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const rows = Object.entries(js.properties ?? {})
    .filter(([k]) => !skip.includes(k))
    .map(([k, n]) => `| \`${k}\` | ${typeOf(n)} | ${n.default === undefined ? '' : `\`${JSON.stringify(n.default)}\``} | ${(n.description ?? '').replace(/\|/g, '\\|')} |`);
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function configurationDoc(): string {
  const kinds = Object.entries(KINDS)
    .map(([k, i]) => `| \`${k}\` | ${k === 'simulator' ? 'any (`simulator.protocol`)' : i.protocol} | ${k === 'simulator' ? 'built in: a loopback server llmux starts' : typeof i.defaultBaseUrl === 'string' ? `\`${i.defaultBaseUrl}\`` : i.defaultBaseUrl ? 'from `region`' : '`base_url` required'} |`)
    .join('\n');
  const ignored = Object.entries(DOCUMENTED_BUT_IGNORED).map(([k, v]) => `| \`${k}\` | ${v} |`).join('\n');
  return `# Configuration

<!-- Generated from src/config/schema.ts by \`node scripts/gen-config-docs.mjs\`; do not edit by hand. -->

llmux reads one TOML file: \`llmux serve --config PATH\`, else \`./llmux.toml\`, else
\`./crabllm.toml\`; with none, \`llmux serve\` writes \`./llmux.toml\` (mode 0600). crabllm's schema is
accepted unchanged. Durations are in seconds.

- \`\${VAR}\` and \`\${VAR:-default}\` are expanded inside string values (not over the raw file, so a
  value can never break the TOML). An unset variable without a default becomes empty, with a warning.
- An unknown key is an error naming the file, the key's path and the nearest valid name. Keys that
  crabllm's documentation named but its code never read load with a warning (table below).
- Relative paths (\`storage.path\`, \`cloud_models\`) resolve against the config file's folder.
- Reload: on SIGHUP and whenever the file changes, llmux re-reads it and applies providers, keys,
  aliases, models, \`admin_token\`, \`max_body_bytes\` and \`shutdown_timeout\` at once; \`listen\`,
  \`storage\` and \`workers\` need a restart, and the log says so. A file that fails validation is not
  applied: the previous config stays in force. The file is checked once a second by its path, so
  a symlinked file (a Kubernetes ConfigMap's update swaps a \`..data\` symlink) and a save by rename
  are both seen, and writes to other files in its folder (logs, databases) cost nothing. A file
  that goes away is logged; the running config stays until it is back.

## Top level

${table(ConfigSchema, [])}

## \`[providers.<name>]\`

${table(ProviderSchema)}

Kinds and their protocols (any other kind name is a custom OpenAI-compatible service and needs
\`base_url\`; \`gemini\` is accepted for \`google\`, crabllm's \`standard\` for \`openai\`):

| kind | protocol | base URL |
|---|---|---|
${kinds}

Model names ending in \`*\` are prefix patterns: \`models = ["gpt-*"]\` serves every model name starting
with \`gpt-\` that no provider lists exactly (the longest matching prefix wins).

## \`[[keys]]\`

${table(KeySchema)}

Secrets are kept in memory only as SHA-256 hashes. Keys declared here are read-only through the
admin API; removing one from the file and reloading revokes it.

## \`[storage]\`

${table(StorageSchema)}

## \`[models.<name>]\`

${table(ModelInfoSchema)}

## \`[extensions]\`

crabllm's extension tables are accepted with the option names its code read.

${table(ExtensionsSchema)}

## Keys crabllm documented but never read

| key | note |
|---|---|
${ignored}
`;
}
