// The destination check for a DST on an ssh host: one `find -printf` listing of DST, taken by
// the pre-flight's own command (remote-preflight.ts), held as a map (path → what the check
// compares), against which the crawler checks each SRC entry by the rules it uses for a local
// DST (dest-check.ts). A re-run into a remote DST then starts an rsync only for what changed,
// instead of one per bucket. When in doubt (a listing that fails, is malformed or too big:
// MAX_INDEX) there is no check: rsync decides.
import { entryCode, sameEntry, type CheckPolicy, type MetaStat } from './dest-check.ts';

/** One DST entry as the check sees it (mode: type and permission bits, as lstat gives them). */
export interface DestRecord extends MetaStat {
  /** A symlink's target. */
  link?: Buffer;
}

/** DST's entries by latin1 path relative to DST ('' for DST itself). */
export type DestIndex = Map<string, DestRecord>;

/** DST's listing still arriving over ssh (ssh-stream.ts): its index, null when it could not be had whole. */
export interface DestListing {
  index: Promise<DestIndex | null>;
  stop(): void;
}

/**
 * Above this many entries the listing is dropped and rsync checks as it always does: the map
 * costs ~170 MB of heap (~280 MB RSS) per million entries (measured), so this bounds it.
 */
export const MAX_INDEX = 500_000;

/** Type, size, mtime (seconds.fraction), permissions, uid, gid, links; then path and link target. */
export const DEST_FORMAT = '%y %s %T@ %m %U %G %n\\0%P\\0%l\\0';
const TYPES = new Map<string, number>([['f', 0o100000], ['d', 0o040000], ['l', 0o120000], ['p', 0o010000], ['s', 0o140000], ['c', 0o020000], ['b', 0o060000]]);

/** Whole seconds of find's `%T@` ("1600000000.5000000000", "-1.2500000000"), exactly; NaN if malformed. */
export function wholeSeconds(t: string): number {
  at = 0;
  const v = seconds(t, t.length);
  return at === t.length ? v : NaN;
}

/** Where the field readers below are in the text they read. */
let at = 0;

/**
 * Decimal digits from `at` up to `end`, a space or `stop` (`at` then points at it): their value, NaN
 * when there are none or a character that is not a digit. (A listing's head is read this way,
 * field by field without strings: a 21k-entry listing took ~50 ms with split and patterns.)
 */
function digits(s: string, end: number, stop = 32): number {
  const from = at;
  let v = 0;
  for (; at < end; at++) {
    const c = s.charCodeAt(at);
    if (c === 32 || c === stop) break;
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  if (at === from) return NaN;
  // (past 2^53 the sum above rounds otherwise than a parse does)
  return at - from > 15 ? Number(s.slice(from, at)) : v;
}

/** Octal digits (one to five) from `at`, as digits() reads decimal ones. */
function octal(s: string, end: number): number {
  const from = at;
  let v = 0;
  for (; at < end; at++) {
    const c = s.charCodeAt(at);
    if (c === 32) break;
    if (c < 48 || c > 55) return NaN;
    v = v * 8 + (c - 48);
  }
  return at === from || at - from > 5 ? NaN : v;
}

/** `%T@` from `at` ("-?digits[.digits]"): its whole seconds (a fraction below zero rounds down). */
function seconds(s: string, end: number): number {
  const neg = at < end && s.charCodeAt(at) === 45;
  if (neg) at++;
  const int = digits(s, end, 46);
  let frac = false;
  if (at < end && s.charCodeAt(at) === 46) {
    for (at++; at < end; at++) {
      const c = s.charCodeAt(at);
      if (c === 32) break;
      if (c < 48 || c > 57) return NaN;
      if (c !== 48) frac = true;
    }
  }
  return neg ? -int - (frac ? 1 : 0) : int;
}

/** The next field's separator (one space) at `at`: passed, or false. */
function space(s: string, end: number): boolean {
  if (at >= end || s.charCodeAt(at) !== 32) return false;
  at++;
  return true;
}

/** The head field of one record ("%y %s %T@ %m %U %G %n"), or null when malformed. */
export function parseHead(head: string): DestRecord | null {
  return headAt(head, 0, head.length);
}

/** parseHead of s[from, end). */
function headAt(s: string, from: number, end: number): DestRecord | null {
  const type = end - from > 1 ? TYPES.get(s[from]) : undefined;
  at = from + 1;
  if (type === undefined || !space(s, end)) return null;
  const size = digits(s, end);
  if (!space(s, end)) return null;
  const mtimeS = seconds(s, end);
  if (!space(s, end)) return null;
  const perms = octal(s, end);
  if (!space(s, end)) return null;
  const uid = digits(s, end);
  if (!space(s, end)) return null;
  const gid = digits(s, end);
  if (!space(s, end)) return null;
  const nlink = digits(s, end);
  // (NaN: a field was malformed)
  if (at !== end || size !== size || uid !== uid || gid !== gid || nlink !== nlink || perms !== perms || mtimeS !== mtimeS) return null;
  // (find cannot print a device's numbers: NaN makes a device always differ)
  return { mode: type | perms, size, mtimeS, uid, gid, nlink, rdev: type === 0o020000 || type === 0o060000 ? NaN : 0 };
}

/**
 * The index in a whole listing (DEST_FORMAT: head, path and link target of each entry, each
 * ended by a NUL; DST's own record has the path ''), or null when it is not whole: a malformed
 * record, a cut-off end, no record for DST itself, more than MAX_INDEX entries.
 */
export function parseListing(data: Buffer): DestIndex | null {
  const text = data.toString('latin1');
  const index: DestIndex = new Map();
  let start = 0;
  while (start < text.length) {
    const head = text.indexOf('\0', start);
    const path = head < 0 ? -1 : text.indexOf('\0', head + 1);
    const link = path < 0 ? -1 : text.indexOf('\0', path + 1);
    if (link < 0 || index.size >= MAX_INDEX) return null;
    const rec = headAt(text, start, head);
    if (!rec) return null;
    if ((rec.mode & 0o170000) === 0o120000) rec.link = Buffer.from(text.slice(path + 1, link), 'latin1');
    index.set(text.slice(head + 1, path), rec);
    start = link + 1;
  }
  return index.has('') ? index : null;
}

/**
 * Check codes (as dest-probe.ts's) for names whose SRC lstats are `num` (dir-reader's full read),
 * against DST's index under key prefix `dir` ('' for DST itself). `readLink` reads a SRC symlink.
 */
export function indexedCodes(names: string[], num: Float64Array, dir: string, index: DestIndex, policy: CheckPolicy, readLink: (name: string) => Buffer | null): Uint8Array {
  const check = new Uint8Array(names.length);
  for (let i = 0, k = 0; i < names.length; i++, k += 9) {
    if (num[k] < 0) continue;
    const d = index.get(dir ? `${dir}/${names[i]}` : names[i]);
    if (!d) continue;
    const link = d.link;
    check[i] = entryCode(num, k, d, policy, sameEntry, () => !!link && (readLink(names[i])?.equals(link) ?? false));
  }
  return check;
}
