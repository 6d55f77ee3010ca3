/**
 * `llmux keys …`: virtual keys through /v1/admin/keys. Differs from crabctl where crabctl was
 * wrong: `update --rpm` alone keeps the existing tpm (the admin API replaces the whole rate_limit
 * object, so the CLI fetches the key and merges), and `--clear-rate-limit` can remove a limit.
 */
import { adminPath, redact } from './client.js';
import { asItem, asItems, rateLimitOf, type CommandContext, type Item } from './context.js';
import { usageError } from './failure.js';
import { cell, formatDetail, formatJson, formatTable } from './format.js';

export const KEY_COLUMNS = ['NAME', 'PREFIX', 'MODELS', 'RPM', 'TPM', 'SOURCE'] as const;

export function keyRow(k: Item): string[] {
  const { rpm, tpm } = rateLimitOf(k);
  return [cell(k.name), cell(k.key_prefix), cell(k.models), cell(rpm), cell(tpm), cell(k.source)];
}

const SHOWN = new Set(['name', 'key', 'key_prefix', 'models', 'rate_limit', 'source']);

export function keyDetail(k: Item): string {
  const { rpm, tpm } = rateLimitOf(k);
  const pairs: [string, string][] = [
    ['Name', cell(k.name)],
    ['Prefix', cell(k.key_prefix)],
    ['Models', cell(k.models)],
    ['RPM', cell(rpm)],
    ['TPM', cell(tpm)],
  ];
  // Fields the gateway adds (llmux's created_at, …) are shown under their JSON name.
  for (const [f, v] of Object.entries(redact(k) as Item)) if (!SHOWN.has(f)) pairs.push([f, cell(v)]);
  pairs.push(['Source', cell(k.source)]);
  return formatDetail(pairs);
}

export async function keysList(ctx: CommandContext): Promise<void> {
  const { json } = await ctx.client.call('GET', adminPath('keys'));
  if (ctx.json) return ctx.io.stdout(formatJson(redact(json)));
  ctx.io.stdout(formatTable(KEY_COLUMNS, asItems(json, 'keys').map(keyRow)));
}

export async function keysGet(ctx: CommandContext): Promise<void> {
  const { json } = await ctx.client.call('GET', adminPath('keys', ctx.args[0]));
  if (ctx.json) return ctx.io.stdout(formatJson(redact(json)));
  ctx.io.stdout(keyDetail(asItem(json, 'a key')));
}

function rateLimitFlags(ctx: CommandContext): { requests_per_minute?: number; tokens_per_minute?: number } | undefined {
  const rpm = ctx.flags.get('rpm') as number | undefined;
  const tpm = ctx.flags.get('tpm') as number | undefined;
  if (rpm === undefined && tpm === undefined) return undefined;
  const rl: { requests_per_minute?: number; tokens_per_minute?: number } = {};
  if (rpm !== undefined) rl.requests_per_minute = rpm;
  if (tpm !== undefined) rl.tokens_per_minute = tpm;
  return rl;
}

export async function keysCreate(ctx: CommandContext): Promise<void> {
  const body: Record<string, unknown> = { name: ctx.args[0] };
  const models = ctx.flags.get('models');
  if (models !== undefined) body.models = models;
  const rl = rateLimitFlags(ctx);
  if (rl) body.rate_limit = rl;

  const { json } = await ctx.client.call('POST', adminPath('keys'), body);
  // The secret is shown here only; say so where a person will see it, without mixing it into
  // stdout that a script may capture.
  const warning = 'warning: this is the only time the full key is shown; store it now (it cannot be shown again)\n';
  if (ctx.json) {
    ctx.io.stdout(formatJson(redact(json)));
    return ctx.io.stderr(warning);
  }
  const k = asItem(json, 'the new key');
  const { rpm, tpm } = rateLimitOf(k);
  ctx.io.stdout(
    formatDetail([
      ['Name', cell(k.name)],
      ['Key', cell(k.key)],
      ['Models', cell(k.models)],
      ['RPM', cell(rpm)],
      ['TPM', cell(tpm)],
    ]),
  );
  ctx.io.stderr(warning);
}

export async function keysUpdate(ctx: CommandContext): Promise<void> {
  const name = ctx.args[0]!;
  const patch: Record<string, unknown> = {};
  const models = ctx.flags.get('models');
  if (models !== undefined) patch.models = models;
  const rl = rateLimitFlags(ctx);
  if (ctx.flags.get('clear-rate-limit') === true) {
    if (rl) throw usageError('--clear-rate-limit cannot be combined with --rpm or --tpm', 'keys update');
    patch.rate_limit = null;
  } else if (rl) {
    // The admin API replaces rate_limit as a whole; when only one number is given, keep the
    // other from the key as it is now.
    if (rl.requests_per_minute === undefined || rl.tokens_per_minute === undefined) {
      const current = asItem((await ctx.client.call('GET', adminPath('keys', name))).json, 'a key');
      const { rpm, tpm } = rateLimitOf(current);
      if (rl.requests_per_minute === undefined && rpm !== undefined) rl.requests_per_minute = rpm;
      if (rl.tokens_per_minute === undefined && tpm !== undefined) rl.tokens_per_minute = tpm;
    }
    patch.rate_limit = rl;
  }
  if (Object.keys(patch).length === 0) throw usageError('nothing to update: give --models, --rpm, --tpm or --clear-rate-limit', 'keys update');

  let { json } = await ctx.client.call('PATCH', adminPath('keys', name), patch);
  // An admin API that answers 204 to PATCH still gets the updated key shown.
  if (json === undefined) json = (await ctx.client.call('GET', adminPath('keys', name))).json;
  if (ctx.json) return ctx.io.stdout(formatJson(redact(json)));
  ctx.io.stdout(keyDetail(asItem(json, 'the updated key')));
}

export async function keysDelete(ctx: CommandContext): Promise<void> {
  const name = ctx.args[0]!;
  const { json } = await ctx.client.call('DELETE', adminPath('keys', name));
  if (ctx.json) {
    if (json !== undefined) ctx.io.stdout(formatJson(redact(json)));
    return;
  }
  ctx.io.stdout(`Key '${name}' deleted.\n`);
}
