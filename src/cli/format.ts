/**
 * Output for people: aligned tables, label/value detail views, and the helpers that turn admin
 * API items into cells. Scripts should use --json instead of parsing these.
 */

/** Width in terminal columns, counting code points (not UTF-16 units). */
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

/**
 * Columns sized to their widest cell, two spaces apart, a dashed line under the header, no
 * trailing spaces. An empty table is `(no results)`.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(no results)\n';
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    widths
      .map((w, i) => pad(cells[i] ?? '', w))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** `Label:  value` lines with the values aligned. */
export function formatDetail(pairs: readonly (readonly [string, string])[]): string {
  const w = Math.max(0, ...pairs.map(([k]) => width(k) + 1));
  return pairs.map(([k, v]) => `${pad(`${k}:`, w)}  ${v}`.trimEnd()).join('\n') + '\n';
}

/** A cell for an optional value: "-" when absent. */
export function cell(v: unknown, unit = ''): string {
  if (v === undefined || v === null || v === '') return '-';
  if (Array.isArray(v)) return v.length ? v.map((x) => String(x)).join(', ') : '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return `${String(v)}${unit}`;
}

/** Shows the start of a secret only, as the admin API's `*_prefix` fields do. */
export function maskSecret(secret: string): string {
  return secret.length > 8 ? `${secret.slice(0, 8)}...` : '***';
}

/** The JSON answer as --json prints it: the server's value, pretty, nothing dropped. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
