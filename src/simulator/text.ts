/**
 * Reply text: padding to a byte size and cutting into stream pieces. Runs once at startup.
 */

/** Repeats `text` until it is about `bytes` long (UTF-8), never cutting a character. */
export function padToBytes(text: string, bytes: number | undefined): string {
  if (bytes === undefined || Buffer.byteLength(text) >= bytes) return text;
  const unit = text === '' ? 'word ' : /\s$/.test(text) ? text : `${text} `;
  const unitBytes = Buffer.byteLength(unit);
  let out = unit.repeat(Math.ceil(bytes / unitBytes));
  if (Buffer.byteLength(out) === out.length) return out.slice(0, bytes); // ASCII: bytes = chars
  // Multi-byte text: drop whole characters from the end until it fits.
  const chars = Array.from(out);
  let size = Buffer.byteLength(out);
  while (size > bytes && chars.length > 0) size -= Buffer.byteLength(chars.pop()!);
  out = chars.join('');
  return out;
}

/**
 * Cuts `text` into exactly `n` pieces that concatenate back to it. Words (with their trailing
 * space) are grouped evenly; when there are fewer words than pieces, the longest pieces are split
 * in two, as a tokenizer splits a long word; only text shorter than `n` characters yields empty
 * pieces.
 */
export function splitIntoPieces(text: string, n: number): string[] {
  if (n <= 0) return [];
  const words = text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
  let pieces: string[];
  if (words.length >= n) {
    pieces = [];
    for (let i = 0; i < n; i++) {
      pieces.push(words.slice(Math.floor((i * words.length) / n), Math.floor(((i + 1) * words.length) / n)).join(''));
    }
    return pieces;
  }
  pieces = words.slice();
  while (pieces.length < n) {
    let longest = -1;
    let len = 1;
    for (let i = 0; i < pieces.length; i++) {
      const l = Array.from(pieces[i]!).length;
      if (l > len) {
        len = l;
        longest = i;
      }
    }
    if (longest === -1) break;
    const chars = Array.from(pieces[longest]!);
    const cut = Math.ceil(chars.length / 2);
    pieces.splice(longest, 1, chars.slice(0, cut).join(''), chars.slice(cut).join(''));
  }
  while (pieces.length < n) pieces.push('');
  return pieces;
}
