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

/**
 * Above this many entries the listing is dropped and rsync checks as it always does: the map
 * costs ~170 MB of heap (~280 MB RSS) per million entries (measured), so this bounds it.
 */
export const MAX_INDEX = 500_000;

/** Type, size, mtime (seconds.fraction), permissions, uid, gid, links; then path and link target. */
export const DEST_FORMAT = '%y %s %T@ %m %U %G %n\\0%P\\0%l\\0';
const TYPES: Record<string, number> = { f: 0o100000, d: 0o040000, l: 0o120000, p: 0o010000, s: 0o140000, c: 0o020000, b: 0o060000 };

/** Whole seconds of find's `%T@` ("1600000000.5000000000", "-1.2500000000"), exactly; NaN if malformed. */
export function wholeSeconds(t: string): number {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return NaN;
  const int = Number(m[2]);
  const frac = !!m[3] && /[1-9]/.test(m[3]);
  return m[1] ? -int - (frac ? 1 : 0) : int;
}

/** The head field of one record ("%y %s %T@ %m %U %G %n"), or null when malformed. */
export function parseHead(head: string): DestRecord | null {
  const f = head.split(' ');
  if (f.length !== 7) return null;
  const type = TYPES[f[0]];
  const mtimeS = wholeSeconds(f[2]);
  const [size, uid, gid, nlink] = [f[1], f[4], f[5], f[6]].map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
  const perms = /^[0-7]{1,5}$/.test(f[3]) ? parseInt(f[3], 8) : NaN;
  if (type === undefined || [size, uid, gid, nlink, perms, mtimeS].some((x) => x !== x)) return null;
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
  const field = (): string | null => {
    const end = text.indexOf('\0', start);
    if (end < 0) return null;
    const f = text.slice(start, end);
    start = end + 1;
    return f;
  };
  while (start < text.length) {
    const head = field();
    const path = field();
    const link = field();
    if (head === null || path === null || link === null || index.size >= MAX_INDEX) return null;
    const rec = parseHead(head);
    if (!rec) return null;
    if ((rec.mode & 0o170000) === 0o120000) rec.link = Buffer.from(link, 'latin1');
    index.set(path, rec);
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
