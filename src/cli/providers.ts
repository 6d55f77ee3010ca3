/**
 * `llmux providers …`: providers through /v1/admin/providers. Unlike crabctl, `update --clear
 * FIELD` sends null so a field can be reset, and llmux's own fields (session token, the three
 * extra timeouts) have flags. Secrets are sent, never shown: the API returns prefixes only, and
 * anything else that looks like a secret is hidden before printing.
 */
import type { FlagValue } from './args.js';
import { adminPath, redact } from './client.js';
import { CLEARABLE_PROVIDER_FIELDS, findCommand } from './commands.js';
import { asItem, asItems, type CommandContext, type Item } from './context.js';
import { usageError } from './failure.js';
import { cell, formatDetail, formatJson, formatTable, maskSecret } from './format.js';

export const PROVIDER_COLUMNS = ['NAME', 'KIND', 'MODELS', 'BASE URL', 'API KEY', 'WEIGHT', 'SOURCE'] as const;

/** A secret's display: the API's `<field>_prefix`, else a mask of the field if a server sent it whole. */
function secretCell(p: Item, field: string): string {
  const prefix = p[`${field}_prefix`];
  if (typeof prefix === 'string' && prefix !== '') return prefix;
  const whole = p[field];
  return typeof whole === 'string' && whole !== '' ? maskSecret(whole) : '-';
}

export function providerRow(p: Item): string[] {
  return [cell(p.name), cell(p.kind), cell(p.models), cell(p.base_url), secretCell(p, 'api_key'), cell(p.weight), cell(p.source)];
}

/** Fields the detail view lays out itself; any other field the server sends is listed after them. */
const SHOWN = new Set([
  'name', 'kind', 'models', 'base_url', 'api_key', 'api_key_prefix', 'weight', 'max_retries', 'timeout', 'connect_timeout',
  'idle_timeout', 'total_timeout', 'api_version', 'region', 'access_key', 'access_key_prefix', 'secret_key',
  'secret_key_prefix', 'session_token', 'session_token_prefix', 'headers', 'source',
]);

export function providerDetail(p: Item): string {
  const pairs: [string, string][] = [
    ['Name', cell(p.name)],
    ['Kind', cell(p.kind)],
    ['Models', cell(p.models)],
    ['Base URL', cell(p.base_url)],
    ['API Key', secretCell(p, 'api_key')],
    ['Weight', cell(p.weight)],
    ['Max Retries', cell(p.max_retries)],
    ['Timeout', cell(p.timeout, 's')],
    ['API Version', cell(p.api_version)],
    ['Region', cell(p.region)],
    ['Access Key', secretCell(p, 'access_key')],
    ['Source', cell(p.source)],
  ];
  // llmux's own fields, shown only when the server has them.
  const extra: [string, string, string][] = [
    ['connect_timeout', 'Connect Timeout', 's'],
    ['idle_timeout', 'Idle Timeout', 's'],
    ['total_timeout', 'Total Timeout', 's'],
  ];
  for (const [field, label, unit] of extra) if (p[field] !== undefined) pairs.splice(pairs.length - 1, 0, [label, cell(p[field], unit)]);
  if (p.session_token !== undefined || p.session_token_prefix !== undefined) pairs.splice(pairs.length - 1, 0, ['Session Token', secretCell(p, 'session_token')]);
  // Header values may carry credentials: show the names only.
  if (p.headers && typeof p.headers === 'object') pairs.splice(pairs.length - 1, 0, ['Headers', cell(Object.keys(p.headers))]);
  for (const [k, v] of Object.entries(redact(p) as Item)) if (!SHOWN.has(k)) pairs.splice(pairs.length - 1, 0, [k, cell(v)]);
  return formatDetail(pairs);
}

/** The JSON fields set by the command's flags, e.g. `--max-retries 3` → `{max_retries: 3}`. */
function fieldsFromFlags(ctx: CommandContext, action: 'create' | 'update'): Record<string, FlagValue> {
  const spec = findCommand('providers', action)!;
  const out: Record<string, FlagValue> = {};
  for (const f of spec.flags) {
    const v = ctx.flags.get(f.name);
    if (v !== undefined && f.field !== undefined) out[f.field] = v;
  }
  return out;
}

/** `--clear api-key` and `--clear api_key` both name the api_key field. */
export function clearedFields(values: readonly string[]): string[] {
  return values.map((raw) => {
    const field = raw.replace(/^--/, '').replace(/-/g, '_');
    if (!CLEARABLE_PROVIDER_FIELDS.includes(field)) {
      throw usageError(`--clear ${raw}: not a field that can be cleared; one of ${CLEARABLE_PROVIDER_FIELDS.join(', ')}`, 'providers update');
    }
    return field;
  });
}

export async function providersList(ctx: CommandContext): Promise<void> {
  const { json } = await ctx.client.call('GET', adminPath('providers'));
  if (ctx.json) return ctx.io.stdout(formatJson(redact(json)));
  ctx.io.stdout(formatTable(PROVIDER_COLUMNS, asItems(json, 'providers').map(providerRow)));
}

export async function providersGet(ctx: CommandContext): Promise<void> {
  const { json } = await ctx.client.call('GET', adminPath('providers', ctx.args[0]));
  if (ctx.json) return ctx.io.stdout(formatJson(redact(json)));
  ctx.io.stdout(providerDetail(asItem(json, 'a provider')));
}

export async function providersCreate(ctx: CommandContext): Promise<void> {
  const body = { name: ctx.args[0]!, ...fieldsFromFlags(ctx, 'create') };
  const { json } = await ctx.client.call('POST', adminPath('providers'), body);
  if (ctx.json) return ctx.io.stdout(formatJson(redact(json)));
  ctx.io.stdout(providerDetail(asItem(json, 'the new provider')));
}

export async function providersUpdate(ctx: CommandContext): Promise<void> {
  const name = ctx.args[0]!;
  const patch: Record<string, FlagValue | null> = fieldsFromFlags(ctx, 'update');
  for (const field of clearedFields((ctx.flags.get('clear') as string[] | undefined) ?? [])) {
    if (field in patch) throw usageError(`${field} is both set and cleared`, 'providers update');
    patch[field] = null;
  }
  if (Object.keys(patch).length === 0) throw usageError('nothing to update: give at least one field flag or --clear FIELD', 'providers update');
  let { json } = await ctx.client.call('PATCH', adminPath('providers', name), patch);
  if (json === undefined) json = (await ctx.client.call('GET', adminPath('providers', name))).json;
  if (ctx.json) return ctx.io.stdout(formatJson(redact(json)));
  ctx.io.stdout(providerDetail(asItem(json, 'the updated provider')));
}

export async function providersDelete(ctx: CommandContext): Promise<void> {
  const name = ctx.args[0]!;
  const { json } = await ctx.client.call('DELETE', adminPath('providers', name));
  if (ctx.json) {
    if (json !== undefined) ctx.io.stdout(formatJson(redact(json)));
    return;
  }
  ctx.io.stdout(`Provider '${name}' deleted.\n`);
}
