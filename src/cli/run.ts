/**
 * `runCli(argv, io)`: the admin commands of the `llmux` binary (serve, init and simulate are
 * dispatched by main.ts). Returns the exit code instead of exiting, so tests and the end-to-end
 * suite run it in-process.
 */
import { parseLine, readFlags, unknownFlagError } from './args.js';
import { AdminClient, timeoutFromEnv } from './client.js';
import { COMMANDS, findCommand, GROUPS, type CommandSpec } from './commands.js';
import { resolveConnection } from './connection.js';
import type { CommandContext } from './context.js';
import { CliFailure, EXIT, usageError } from './failure.js';
import { commandHelp, groupHelp, mainHelp } from './help.js';
import type { CliIO } from './io.js';
import { keysCreate, keysDelete, keysGet, keysList, keysUpdate } from './keys.js';
import { providersCreate, providersDelete, providersGet, providersList, providersUpdate } from './providers.js';
import { suggest } from '../config/load.js';

const HANDLERS: Record<string, (ctx: CommandContext) => Promise<void>> = {
  'keys list': keysList,
  'keys get': keysGet,
  'keys create': keysCreate,
  'keys update': keysUpdate,
  'keys delete': keysDelete,
  'providers list': providersList,
  'providers get': providersGet,
  'providers create': providersCreate,
  'providers update': providersUpdate,
  'providers delete': providersDelete,
};

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof CliFailure) {
      io.stderr(`error: ${e.message}\n`);
      for (const h of e.hints) io.stderr(`hint: ${h}\n`);
      return e.exitCode;
    }
    io.stderr(`error: unexpected failure: ${(e as Error).message ?? String(e)}\n`);
    return EXIT.REFUSED;
  }
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const line = parseLine(argv);
  const [first, second, ...rest] = line.positionals;

  // `llmux help [group [action]]` and `--help` anywhere.
  if (first === 'help' || line.globals.help) {
    const topic = first === 'help' ? [second, rest[0]] : [first, second];
    io.stdout(helpFor(topic[0], topic[1]));
    return EXIT.OK;
  }
  const firstUnknown = line.unknown[0];
  const known = first !== undefined && second !== undefined ? findCommand(first, second) : undefined;
  if (firstUnknown !== undefined) throw unknownFlagError(firstUnknown, known);
  if (first === undefined) throw usageError('missing command (keys or providers)');
  if (!(GROUPS as readonly string[]).includes(first)) {
    const s = suggest(first, [...GROUPS, 'help']);
    throw usageError(`unknown command '${first}'${s ? `; did you mean '${s}'?` : ''}`);
  }
  if (second === undefined) throw usageError(`'llmux ${first}' needs a command: ${actionsOf(first).join(', ')}`, first);
  const cmd = findCommand(first, second);
  if (!cmd) {
    const s = suggest(second, actionsOf(first));
    throw usageError(`unknown command '${first} ${second}'${s ? `; did you mean '${first} ${s}'?` : ''}`, first);
  }
  const topic = `${cmd.group} ${cmd.action}`;
  if (rest.length < cmd.args.length) throw usageError(`'llmux ${topic}' needs <${cmd.args[rest.length]}>`, topic);
  if (rest.length > cmd.args.length) throw usageError(`'llmux ${topic}' got an unexpected argument '${rest[cmd.args.length]}'`, topic);
  for (const [i, a] of rest.entries()) if (a === '') throw usageError(`<${cmd.args[i]}> cannot be empty`, topic);
  const flags = readFlags(cmd, line.flags);

  const timeoutMs = timeoutFromEnv(io.env);
  const conn = resolveConnection(line.globals, io.env, io.cwd);
  for (const w of conn.warnings) io.stderr(`warning: ${w}\n`);
  if (line.globals.verbose >= 1) {
    io.stderr(`* llmux at ${conn.url} (from ${conn.urlSource}); admin token ${conn.tokenSource ? `from ${conn.tokenSource}` : 'not set'}\n`);
  }
  const client = new AdminClient({ conn, io, verbose: line.globals.verbose, timeoutMs });
  await HANDLERS[topic]!({ client, io, json: line.globals.json, args: rest, flags });
  return EXIT.OK;
}

function actionsOf(group: string): string[] {
  return COMMANDS.filter((c) => c.group === group).map((c) => c.action);
}

function helpFor(group: string | undefined, action: string | undefined): string {
  if (group === undefined || !(GROUPS as readonly string[]).includes(group)) return mainHelp();
  const cmd: CommandSpec | undefined = action === undefined ? undefined : findCommand(group, action);
  return cmd ? commandHelp(cmd) : groupHelp(group);
}
