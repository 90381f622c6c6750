// The destination check's side in DST (dest-check.ts has the rules): one lstat per entry of a
// directory just read from SRC, on the main thread. (A thread for DST's side was tried: the walk
// is depth-first, so the next directory is nearly always the one just read, and every directory
// waited a round trip to the thread — slower than both lstats here.)
import { lstatSync, readlinkSync } from 'node:fs';
import { metaOf, sameEntry, type CheckPolicy } from './dest-check.ts';
import { sysPath, type DirListing } from './dir-reader.ts';

/** The same directory in a local DST. */
export interface DestDir {
  /** Absolute latin1 path, without the trailing slash. */
  dir: string;
  ascii: boolean;
  policy: CheckPolicy;
}

/**
 * Per name of a directory: 1 = DST has it as rsync would leave it (nothing to do), 0 = missing
 * or different; for a subdirectory 2 = DST has a directory there whose own metadata differs
 * (its entries can still be checked), 1 = the same directory, 0 = none.
 */
export type CheckCodes = Uint8Array;

/**
 * Check codes for names whose SRC lstats are `num` (a full read: dir-reader's STAT_FIELDS per
 * name, mode -1 where it failed). Number lstats in DST while their seconds are certain; a
 * directory whose mtimes leave them in doubt (whole seconds, see metaOf) goes on with bigint
 * lstats.
 */
function checkNames(names: string[], num: Float64Array, srcDir: string, srcAscii: boolean, dest: DestDir): Uint8Array {
  const check = new Uint8Array(names.length);
  const srcPrefix = srcDir.endsWith('/') ? srcDir : `${srcDir}/`;
  const dstPrefix = `${dest.dir}/`;
  let big = false;
  for (let i = 0, k = 0; i < names.length; i++, k += 9) {
    if (num[k] < 0) continue;
    const dstPath = sysPath(dstPrefix + names[i], dest.ascii);
    let d;
    try {
      let st = big ? lstatSync(dstPath, { bigint: true, throwIfNoEntry: false }) : lstatSync(dstPath, { throwIfNoEntry: false });
      if (!st) continue;
      d = metaOf(st);
      if (d.mtimeS !== d.mtimeS) {
        big = true;
        st = lstatSync(dstPath, { bigint: true, throwIfNoEntry: false });
        if (!st) continue;
        d = metaOf(st);
      }
    } catch {
      continue; // not a directory on the way, no access: rsync will tell
    }
    const src = { mode: num[k], size: num[k + 1], nlink: num[k + 4], mtimeS: num[k + 5], uid: num[k + 6], gid: num[k + 7], rdev: num[k + 8] };
    const type = src.mode & 0o170000;
    if (type === 0o040000) {
      if ((d.mode & 0o170000) === 0o040000) check[i] = sameEntry(src, d, dest.policy) ? 1 : 2;
      continue;
    }
    let linkSame = false;
    if (type === 0o120000 && sameEntry(src, d, dest.policy, true)) {
      try {
        linkSame = readlinkSync(sysPath(srcPrefix + names[i], srcAscii), 'buffer').equals(readlinkSync(dstPath, 'buffer'));
      } catch {
        linkSame = false;
      }
    }
    if (sameEntry(src, d, dest.policy, linkSame)) check[i] = 1;
  }
  return check;
}

/** Check codes for a listing read with `full`, here and now. */
export function checkListing(listing: DirListing, srcDir: string, srcAscii: boolean, dest: DestDir): CheckCodes {
  if (!listing.num) return new Uint8Array(listing.names.length);
  return checkNames(listing.names, listing.num, srcDir, srcAscii, dest);
}
