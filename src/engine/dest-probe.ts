// The destination check's side in DST (dest-check.ts has the rules): one lstat per entry of a
// directory just read from SRC, where it was read — on the main thread, or in the reader thread
// that read it ahead of the walk (tree-job.ts), so both trees' lstats run on every core.
import { lstatSync, readlinkSync } from 'node:fs';
import { CHECK_FNS, type CheckFns, type CheckPolicy } from './dest-check.ts';
import { sysPath, type DirListing } from './dir-reader.ts';
import { fromInside } from './inside-dir.ts';
import { indexedCodes, type DestIndex } from './remote-dest.ts';

/** The same directory in a local DST. */
export interface DestDir {
  /** Absolute latin1 path, without the trailing slash; with `index`, its key there ('' for DST). */
  dir: string;
  ascii: boolean;
  policy: CheckPolicy;
  /** A DST on an ssh host: its listing (remote-dest.ts). */
  index?: DestIndex;
}

/**
 * The DST twin of a subdirectory `name` (`ascii`: SRC's path to it is ASCII). Self-contained:
 * the reader threads run its source text (tree-job.ts).
 */
export function destChild<D extends { dir: string; ascii: boolean; index?: unknown }>(dest: D, name: string, ascii: boolean): D {
  return { ...dest, dir: dest.index && !dest.dir ? name : `${dest.dir}/${name}`, ascii: dest.ascii && ascii };
}

/**
 * Per name of a directory: 1 = DST has it as rsync would leave it (nothing to do), 0 = missing
 * or different; for a subdirectory 2 = DST has a directory there whose own metadata differs
 * (its entries can still be checked), 1 = the same directory, 0 = none.
 */
export type CheckCodes = Uint8Array;

/** What checkNames needs of node:fs (passed in: the reader threads run its source text). */
export interface CheckFs {
  lstatSync: typeof lstatSync;
  readlinkSync: typeof readlinkSync;
  Buffer: typeof Buffer;
}

/**
 * Check codes for names whose SRC lstats are `num` (a full read: dir-reader's STAT_FIELDS per
 * name, mode -1 where it failed); `srcPrefix` is SRC's directory with its trailing slash. Number
 * lstats in DST while their seconds are certain; a directory whose mtimes leave them in doubt
 * (whole seconds, see metaOf) goes on with bigint lstats (from the start with `big0`: SRC's read
 * of the directory needed them). Self-contained (no outer names): the reader threads run its
 * source text (tree-job.ts).
 */
export function checkNames(names: string[], num: Float64Array, srcPrefix: string, srcAscii: boolean, dest: DestDir, fs: CheckFs, f: CheckFns, big0 = false): Uint8Array {
  const nonAscii = /[^\x00-\x7f]/;
  // (the directories' ASCII-ness is known: only each name needs a look)
  const sys = (p: string, ascii: boolean) => (ascii ? p : fs.Buffer.from(p, 'latin1'));
  const check = new Uint8Array(names.length);
  const dstPrefix = `${dest.dir}/`;
  let big = big0;
  for (let i = 0, k = 0; i < names.length; i++, k += 9) {
    if (num[k] < 0) continue;
    const nameAscii = !nonAscii.test(names[i]);
    const dstPath = sys(dstPrefix + names[i], dest.ascii && nameAscii);
    let d;
    try {
      let st = big ? fs.lstatSync(dstPath, { bigint: true, throwIfNoEntry: false }) : fs.lstatSync(dstPath, { throwIfNoEntry: false });
      if (!st) continue;
      d = f.metaOf(st);
      if (d.mtimeS !== d.mtimeS) {
        big = true;
        st = fs.lstatSync(dstPath, { bigint: true, throwIfNoEntry: false });
        if (!st) continue;
        d = f.metaOf(st);
      }
    } catch {
      continue; // not a directory on the way, no access: rsync will tell
    }
    const linksEqual = () => {
      try {
        return fs.readlinkSync(sys(srcPrefix + names[i], srcAscii && nameAscii), 'buffer').equals(fs.readlinkSync(dstPath, 'buffer'));
      } catch {
        return false;
      }
    };
    check[i] = f.entryCode(num, k, d, dest.policy, f.sameEntry, linksEqual);
  }
  return check;
}

/** Check codes for a listing read with `full`, here and now. */
export function checkListing(listing: DirListing, srcDir: string, srcAscii: boolean, dest: DestDir): CheckCodes {
  if (!listing.num) return new Uint8Array(listing.names.length);
  const prefix = srcDir.endsWith('/') ? srcDir : `${srcDir}/`;
  if (dest.index) {
    const readLink = (name: string) => {
      try {
        return readlinkSync(sysPath(prefix + name, srcAscii), 'buffer');
      } catch {
        return null;
      }
    };
    return indexedCodes(listing.names, listing.num, dest.dir, dest.index, dest.policy, readLink);
  }
  // (SRC's mtimes in whole seconds: DST's copies have them too, so bigint lstats from the start)
  // (from inside DST's directory: './' + name is one lookup there; SRC's links are read by their absolute path)
  return fromInside(dest.dir, dest.ascii, listing.names.length, (inside) =>
    checkNames(listing.names, listing.num!, prefix, srcAscii, inside ? { ...dest, dir: '.' } : dest, { lstatSync, readlinkSync, Buffer }, CHECK_FNS, listing.big),
  );
}
