/** Help text, generated from the command table so it always lists what the parser accepts. */
import { COMMANDS, GLOBAL_FLAGS, type CommandSpec, type FlagSpec } from './commands.js';

function flagLabel(f: FlagSpec): string {
  if (f.name === 'v') return '-v, -vv';
  if (f.name === 'help') return '-h, --help';
  return `--${f.name}${f.value ? ` ${f.value}` : ''}`;
}

function flagLines(flags: readonly FlagSpec[]): string[] {
  const w = Math.max(...flags.map((f) => flagLabel(f).length));
  return flags.map((f) => `  ${flagLabel(f).padEnd(w)}  ${f.help}`);
}

export function usageLine(c: CommandSpec): string {
  const args = c.args.map((a) => `<${a}>`).join(' ');
  return `llmux ${c.group} ${c.action}${args ? ` ${args}` : ''}${c.flags.length ? ' [flags]' : ''}`;
}

const EXIT_CODES = [
  'Exit codes:',
  '  0  success',
  '  1  the server refused the request (error: <status> <message>)',
  '  2  usage or configuration error (nothing was sent)',
  '  3  the gateway could not be reached or did not answer in time (LLMUX_CLI_TIMEOUT_MS, default 10000)',
  '  4  authentication failed: the admin token is missing or wrong',
];

const ENV = [
  'Environment:',
  '  LLMUX_URL             gateway address (after --url)',
  '  LLMUX_TOKEN           admin token (after --token)',
  '  LLMUX_CLI_TIMEOUT_MS  how long to wait for an answer (default 10000)',
];

export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => usageLine(c).length));
  return [
    'llmux: manage a running llmux gateway through its admin API',
    '',
    'Usage: llmux <command> [arguments] [flags]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${usageLine(c).padEnd(w)}  ${c.summary}`),
    '  llmux help [command]'.padEnd(w + 2) + '  show help for a command',
    '',
    'The gateway itself runs with `llmux serve`; these commands talk to a running one.',
    '',
    'Global flags (anywhere on the line):',
    ...flagLines(GLOBAL_FLAGS),
    '',
    ...ENV,
    '',
    ...EXIT_CODES,
    '',
  ].join('\n');
}

export function groupHelp(group: string): string {
  const cmds = COMMANDS.filter((c) => c.group === group);
  const w = Math.max(...cmds.map((c) => usageLine(c).length));
  return [
    `Usage: llmux ${group} <${cmds.map((c) => c.action).join('|')}> …`,
    '',
    ...cmds.map((c) => `  ${usageLine(c).padEnd(w)}  ${c.summary}`),
    '',
    `Run 'llmux ${group} <command> --help' for its flags; 'llmux --help' for global flags and exit codes.`,
    '',
  ].join('\n');
}

export function commandHelp(c: CommandSpec): string {
  return [
    `Usage: ${usageLine(c)}`,
    '',
    c.summary,
    '',
    ...(c.flags.length ? ['Flags:', ...flagLines(c.flags), ''] : []),
    'Global flags:',
    ...flagLines(GLOBAL_FLAGS),
    '',
  ].join('\n');
}
