// The destination check of a pull (a remote SRC listed by find over ssh, remote-crawl.ts, into a
// local DST): each listed entry's numbers (find-records.ts CHECK_FORMAT) against an lstat of its
// DST twin, by the rules of dest-check.ts. An entry DST already has as rsync would leave it goes
// to no bucket, so a no-op re-run of a pull starts no rsync (it ran one per bucket, each a remote
// session: 21k entries over the loopback sshd, 3.4-4.2 s against 0.63-0.68 s for one rsync); a
// directory DST has with other metadata (or lacks) is counted, and with none the directory pass is
// left out too (dir-pass.ts).
import { lstatSync, readlinkSync } from 'node:fs';
import { metaOf, sameEntry, type CheckPolicy, type MetaStat } from './dest-check.ts';
import type { FindRecord } from './find-records.ts';
import { parseHead } from './remote-dest.ts';

/** SRC's side of a listed entry (a CHECK_FORMAT record's extra fields), as the check compares it; null when malformed. */
export function srcMeta(r: FindRecord & { extra: string[] }): MetaStat | null {
  const [mtime, perms, uid, gid] = r.extra;
  return parseHead(`${r.type} ${r.size} ${mtime} ${perms} ${uid} ${gid} ${r.nlink}`);
}

/** The last entry's mtime was in doubt (whole seconds): the next one starts with a bigint lstat. */
let bigHint = false;

/**
 * DST (its root as given) holds the entry at `path` (bytes, relative to it) as rsync would
 * leave it; `link`: SRC's symlink target. A directory is compared by its own metadata only.
 */
export function sameInDest(root: string, path: Buffer, src: MetaStat, link: Buffer, policy: CheckPolicy): boolean {
  const base = root.endsWith('/') ? root : `${root}/`;
  // (a string path is the runtime's fast one: when the name is ASCII)
  const dst = path.every((b) => b < 0x80) ? base + path.toString('latin1') : Buffer.concat([Buffer.from(base), path]);
  let d: MetaStat;
  try {
    const st = lstatSync(dst, bigHint ? { bigint: true, throwIfNoEntry: false } : { throwIfNoEntry: false });
    if (!st) return false;
    d = metaOf(st);
    // (a whole-second mtime in doubt: the exact one)
    bigHint = d.mtimeS !== d.mtimeS || (bigHint && isWhole(st as { mtimeNs?: bigint }));
    if (d.mtimeS !== d.mtimeS) d = metaOf(lstatSync(dst, { bigint: true }));
  } catch {
    return false;
  }
  const symlink = (src.mode & 0o170000) === 0o120000;
  let linkSame = false;
  if (symlink && sameEntry(src, d, policy, true)) {
    try {
      linkSame = readlinkSync(dst, 'buffer').equals(link);
    } catch {
      linkSame = false;
    }
  }
  return sameEntry(src, d, policy, linkSame);
}

/** A bigint lstat's mtime is a whole second (a number lstat would leave it in doubt). */
function isWhole(st: { mtimeNs?: bigint }): boolean {
  return st.mtimeNs !== undefined && st.mtimeNs % 1000000000n === 0n;
}
