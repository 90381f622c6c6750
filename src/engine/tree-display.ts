// Human-readable rendering of raw path bytes (file names need not be UTF-8)
// and of lstat fields, for tree comparison reports.
import { constants as C } from 'node:fs';
import type { BigIntStats } from 'node:fs';

const hex = (c: number): string => '\\x' + c.toString(16).padStart(2, '0');

/**
 * Decode `buf` as UTF-8 for display. Bytes that are not part of a valid UTF-8
 * sequence are shown as `\xff`; ASCII control characters (newline, tab, DEL...)
 * are shown the same way so a path always stays on one line. Everything else,
 * backslashes included, is shown as is.
 */
export function displayPath(buf: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const c = buf[i]!;
    if (c < 0x80) {
      out += c < 0x20 || c === 0x7f ? hex(c) : String.fromCharCode(c);
      i++;
      continue;
    }
    let n = 0;
    let cp = 0;
    let min = 0;
    if (c >= 0xc2 && c <= 0xdf) [n, cp, min] = [1, c & 0x1f, 0x80];
    else if ((c & 0xf0) === 0xe0) [n, cp, min] = [2, c & 0x0f, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, cp, min] = [3, c & 0x07, 0x10000];
    let ok = n > 0 && i + n < buf.length;
    for (let k = 1; ok && k <= n; k++) {
      const b = buf[i + k]!;
      if ((b & 0xc0) !== 0x80) ok = false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += hex(c);
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

const KINDS: [number, string][] = [
  [C.S_IFREG, 'file'], [C.S_IFDIR, 'dir'], [C.S_IFLNK, 'symlink'], [C.S_IFIFO, 'fifo'],
  [C.S_IFSOCK, 'socket'], [C.S_IFCHR, 'char'], [C.S_IFBLK, 'block'],
];
export const kindOf = (st: BigIntStats): string => {
  const t = Number(st.mode) & C.S_IFMT;
  return KINDS.find(([m]) => m === t)?.[1] ?? `type 0o${t.toString(8)}`;
};

/** `2020-09-13T12:26:40.250000000Z` from nanoseconds since the epoch. */
export const fmtNs = (ns: bigint): string => {
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const iso = new Date(Number((ns - frac) / 1_000_000n)).toISOString();
  return iso.replace(/\.\d+Z$/, `.${frac.toString().padStart(9, '0')}Z`);
};
export const fmtMode = (m: bigint): string => (Number(m) & 0o7777).toString(8).padStart(4, '0');
