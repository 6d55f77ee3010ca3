/**
 * Key ordering and prefix ranges shared by every backend, so that `list` returns the same order
 * whichever backend holds the data. The order is Unicode code point order, which is also the
 * byte order of UTF-8: what SQLite's BINARY collation and Redis compare. JavaScript's `<`
 * compares UTF-16 code units instead, which puts U+10000 and above before U+E000..U+FFFF.
 */

/** Compares two keys by code point. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * Surrogates (D800..DFFF) encode code points above FFFF, so they must sort after E000..FFFF;
 * shifting the two ranges past each other is enough, since only the first differing unit
 * decides.
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * The smallest string above every string starting with `prefix` (in code point order), so a
 * prefix scan is the index range `prefix <= key < bound`. Undefined when there is no bound
 * (empty prefix, or a prefix of only U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // D800..DFFF are not characters; the next one after D7FF is E000.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}
