// The destination check: before an entry goes into a bucket, the crawler looks at the same path
// in a local DST and leaves the entry out when rsync would find nothing to do there — rsync's
// own "quick check" (same type, size and mtime) plus every attribute the run's options would
// set (permissions, owner, group, device numbers, symlink target). A re-run of a big migration
// then costs one crawl of both trees instead of a bucket of rsyncs per thousand entries.
// It is only ever an omission of work rsync would skip: when in doubt the entry goes to rsync.

import { isRemote, type RunConfig } from './config.ts';
import { extrasKnowable } from './dest-extras.ts';
import { parseRemote } from './remote.ts';

/** The attributes of one lstat the check compares (mtime in whole seconds, as rsync compares it). */
export interface MetaStat {
  mode: number;
  size: number;
  mtimeS: number;
  uid: number;
  gid: number;
  rdev: number;
  nlink: number;
}

/**
 * A MetaStat from an lstat. From a bigint lstat the seconds are exact; from a number lstat
 * mtimeS is NaN when they are in doubt: Bun rounds mtimeMs to the nearest representable double,
 * so a time a few nanoseconds before a whole second reads as that second (the caller then asks
 * for a bigint lstat). Self-contained (no outer names): the crawl's reader threads run its
 * source text (dir-reader.ts).
 */
export function metaOf(st: import('node:fs').BigIntStats | import('node:fs').Stats): MetaStat {
  let sec: number;
  const ns = (st as import('node:fs').BigIntStats).mtimeNs;
  if (typeof ns === 'bigint') {
    sec = Number(ns / 1000000000n - (ns % 1000000000n < 0n ? 1n : 0n));
  } else {
    const ms = st.mtimeMs as number;
    sec = Math.floor(ms / 1000);
    let rem = ms - sec * 1000;
    if (rem < 0) {
      sec -= 1;
      rem += 1000;
    } else if (rem >= 1000) {
      sec += 1;
      rem -= 1000;
    }
    if (rem === 0) sec = NaN;
  }
  return { mode: Number(st.mode), size: Number(st.size), mtimeS: sec, uid: Number(st.uid), gid: Number(st.gid), rdev: Number(st.rdev), nlink: Number(st.nlink) };
}

/** Which attributes rsync would set on an existing entry, from the run's rsync options. */
export interface CheckPolicy {
  perms: boolean;
  owner: boolean;
  group: boolean;
  /** -H: a file with several links may need re-linking, which a stat cannot tell. */
  hardlinks: boolean;
  /** Also list each DST twin for names SRC lacks (--delete: dest-extras.ts). */
  extras?: boolean;
}

// Options the check understands. Anything else (-c, -I, -A, -X, --chmod, -L, -b, --modify-window,
// --compare-dest …) may make rsync act on an entry that looks the same: the check is then off.
const FLAG_LETTERS = new Set('arlptgoDSHvhqzWPuxsin');
const NO_VALUE = new Set([
  'archive', 'recursive', 'links', 'perms', 'times', 'group', 'owner', 'devices', 'specials', 'sparse',
  'hard-links', 'numeric-ids', 'verbose', 'human-readable', 'quiet', 'compress', 'whole-file', 'no-whole-file',
  'partial', 'progress', 'stats', 'update', 'one-file-system', 'protect-args', 'secluded-args', 'inplace',
  'delay-updates', 'no-motd', 'itemize-changes', 'size-only', 'ignore-existing', 'dry-run', 'no-compress',
  'mkpath', 'no-perms', 'no-p', 'no-owner', 'no-o', 'no-group', 'no-g', 'no-times', 'no-t', 'no-hard-links', 'no-H',
  'no-verbose', 'no-v', 'no-human-readable', 'no-h',
]);
const WITH_VALUE = new Set([
  'bwlimit', 'timeout', 'contimeout', 'compress-level', 'compress-choice', 'zc', 'zl', 'partial-dir', 'temp-dir',
  'block-size', 'max-size', 'min-size', 'log-file', 'log-file-format', 'out-format', 'info', 'debug', 'rsh',
  'rsync-path', 'port', 'address', 'sockopts', 'outbuf', 'checksum-choice', 'cc', 'skip-compress', 'max-alloc',
]);

/**
 * The policy for these rsync options, or null when the check cannot stand in for rsync's (an
 * option it does not know). `root`: rsync only sets owners as the super-user.
 */
export function checkPolicy(opts: string[], root: boolean): CheckPolicy | null {
  const p = { perms: false, owner: false, group: false, hardlinks: false };
  const set = (c: string, on: boolean) => {
    if (c === 'a') p.perms = p.owner = p.group = on;
    else if (c === 'p') p.perms = on;
    else if (c === 'o') p.owner = on;
    else if (c === 'g') p.group = on;
    else if (c === 'H') p.hardlinks = on;
  };
  const LONG: Record<string, string> = { archive: 'a', perms: 'p', owner: 'o', group: 'g', 'hard-links': 'H' };
  for (const o of opts) {
    if (/^-[A-Za-z]+$/.test(o)) {
      for (const c of o.slice(1)) {
        if (!FLAG_LETTERS.has(c)) return null;
        set(c, true);
      }
    } else if (o.startsWith('--')) {
      const eq = o.indexOf('=');
      const name = o.slice(2, eq < 0 ? undefined : eq);
      if (eq < 0 && NO_VALUE.has(name)) {
        if (name.startsWith('no-')) set(LONG[name.slice(3)] ?? name.slice(3), false);
        else if (LONG[name]) set(LONG[name], true);
      } else if (!(eq > 0 && WITH_VALUE.has(name))) return null;
    } else return null;
  }
  p.owner &&= root;
  return p;
}

/**
 * True when rsync, under policy p, would leave DST's entry as it is. `linkSame`: for symlinks,
 * whether both point to the same target (the caller reads them only when it matters).
 * (Literal mode bits: S_IFMT 0o170000, S_IFREG 0o100000, S_IFLNK 0o120000, S_IFCHR 0o020000,
 * S_IFBLK 0o060000.)
 */
export function sameEntry(src: MetaStat, dst: MetaStat | null, p: CheckPolicy, linkSame = false): boolean {
  if (!dst) return false;
  const type = src.mode & 0o170000; // S_IFMT
  if (type !== (dst.mode & 0o170000)) return false;
  // rsync's default (--modify-window=0) compares whole seconds: so does the check
  if (src.mtimeS !== dst.mtimeS) return false;
  if (p.owner && src.uid !== dst.uid) return false;
  if (p.group && src.gid !== dst.gid) return false;
  if (type === 0o120000) return src.size === dst.size && linkSame; // symlink: its target decides
  if (p.perms && (src.mode & 0o7777) !== (dst.mode & 0o7777)) return false;
  if (type === 0o100000) {
    // regular file: rsync's quick check; with -H a linked file may need re-linking
    if (src.size !== dst.size) return false;
    if (p.hardlinks && (src.nlink > 1 || dst.nlink > 1)) return false;
  }
  // character and block devices: the device number
  if ((type === 0o020000 || type === 0o060000) && src.rdev !== dst.rdev) return false;
  return true;
}

/**
 * The check code of one entry (dest-probe.ts's CheckCodes) whose SRC numbers start at num[k]
 * (dir-reader's STAT_FIELDS layout) against DST's entry `d` there: for a directory 1 = the same,
 * 2 = DST has a directory with other metadata; else 1 = rsync would leave it, 0 = not.
 * `linksEqual` reads both symlink targets (only when the rest already matches). Self-contained
 * (sameEntry comes in): the reader threads run its source text.
 */
export function entryCode(num: Float64Array, k: number, d: MetaStat, p: CheckPolicy, same: typeof sameEntry, linksEqual: () => boolean): number {
  const src = { mode: num[k], size: num[k + 1], nlink: num[k + 4], mtimeS: num[k + 5], uid: num[k + 6], gid: num[k + 7], rdev: num[k + 8] };
  const type = src.mode & 0o170000;
  if (type === 0o040000) return (d.mode & 0o170000) === 0o040000 ? (same(src, d, p) ? 1 : 2) : 0;
  const linkSame = type === 0o120000 && same(src, d, p, true) && linksEqual();
  return same(src, d, p, linkSame) ? 1 : 0;
}

/** The check's functions, passed to the code the reader threads run from its source text. */
export interface CheckFns {
  metaOf: typeof metaOf;
  sameEntry: typeof sameEntry;
  entryCode: typeof entryCode;
}
export const CHECK_FNS: CheckFns = { metaOf, sameEntry, entryCode };

/**
 * The check's policy for this run, or undefined when it is off: --no-dest-check, a remote SRC,
 * a daemon DST, worker hosts or a shared plan (DST as other hosts see it), a manifest, or rsync
 * options the check does not know. A DST on an ssh host is checked against a listing of it
 * (remote-dest.ts): owners and groups there by number only, so with -o/-g only under
 * --numeric-ids (multisync's default options have it; rsync maps them by name otherwise), and
 * owners whenever -o is given (the remote end may well be root).
 */
export function destCheckPolicy(cfg: RunConfig): CheckPolicy | undefined {
  if (!cfg.destCheck || cfg.workers?.length || cfg.shared || cfg.filesFrom || cfg.retryFailed) return undefined;
  const pull = cfg.sources.some((s) => isRemote(s.arg));
  if (pull && !cfg.sources.every((s) => parseRemote(s.arg)?.kind === 'ssh')) return undefined;
  const remote = isRemote(cfg.destination);
  const p = checkPolicy(cfg.rsyncOpts, remote || process.getuid?.() === 0) ?? undefined;
  if (p && !pull && extrasKnowable(cfg)) p.extras = true;
  // a pull: SRC's owners and groups come as numbers from its listing (rsync maps them by name otherwise)
  if (p && pull) return (p.owner || p.group) && !cfg.rsyncOpts.includes('--numeric-ids') ? undefined : p;
  if (!p || !remote) return p;
  if (parseRemote(cfg.destination)?.kind !== 'ssh') return undefined;
  if ((p.owner || p.group) && !cfg.rsyncOpts.includes('--numeric-ids')) return undefined;
  return p;
}
