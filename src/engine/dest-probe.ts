// The destination check's side in DST (dest-check.ts has the rules): one lstat per entry of a
// directory just read from SRC. On a thread of its own when the runtime has them (DestChecker),
// so DST's lstats run beside SRC's — as rsync's sender and generator do — else here.
import { lstatSync, readlinkSync } from 'node:fs';
import { metaOf, sameEntry, type CheckPolicy } from './dest-check.ts';
import type { DirListing } from './dir-reader.ts';

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

interface CheckFs {
  lstatSync: typeof lstatSync;
  readlinkSync: typeof readlinkSync;
  Buffer: typeof Buffer;
}

/**
 * Check codes for names whose SRC lstats are `num` (a full read: dir-reader's STAT_FIELDS per
 * name, mode -1 where it failed). Number lstats in DST while their seconds are certain; a
 * directory whose mtimes leave them in doubt (whole seconds, see metaOf) goes on with bigint
 * lstats. Self-contained (no outer names): the checker thread runs its source text.
 */
function checkNames(names: string[], num: Float64Array, srcDir: string, srcAscii: boolean, dest: DestDir, fs: CheckFs, same: typeof sameEntry, meta: typeof metaOf): Uint8Array {
  const nonAscii = /[^\x00-\x7f]/;
  const sys = (p: string, a: boolean) => (a && !nonAscii.test(p) ? p : fs.Buffer.from(p, 'latin1'));
  const check = new Uint8Array(names.length);
  const srcPrefix = srcDir.endsWith('/') ? srcDir : `${srcDir}/`;
  const dstPrefix = `${dest.dir}/`;
  let big = false;
  for (let i = 0, k = 0; i < names.length; i++, k += 9) {
    if (num[k] < 0) continue;
    const dstPath = sys(dstPrefix + names[i], dest.ascii);
    let d;
    try {
      let st = big ? fs.lstatSync(dstPath, { bigint: true, throwIfNoEntry: false }) : fs.lstatSync(dstPath, { throwIfNoEntry: false });
      if (!st) continue;
      d = meta(st);
      if (d.mtimeS !== d.mtimeS) {
        big = true;
        st = fs.lstatSync(dstPath, { bigint: true, throwIfNoEntry: false });
        if (!st) continue;
        d = meta(st);
      }
    } catch {
      continue; // not a directory on the way, no access: rsync will tell
    }
    const src = { mode: num[k], size: num[k + 1], nlink: num[k + 4], mtimeS: num[k + 5], uid: num[k + 6], gid: num[k + 7], rdev: num[k + 8] };
    const type = src.mode & 0o170000;
    if (type === 0o040000) {
      if ((d.mode & 0o170000) === 0o040000) check[i] = same(src, d, dest.policy) ? 1 : 2;
      continue;
    }
    let linkSame = false;
    if (type === 0o120000 && same(src, d, dest.policy, true)) {
      try {
        linkSame = fs.readlinkSync(sys(srcPrefix + names[i], srcAscii), 'buffer').equals(fs.readlinkSync(dstPath, 'buffer'));
      } catch {
        linkSame = false;
      }
    }
    if (same(src, d, dest.policy, linkSame)) check[i] = 1;
  }
  return check;
}

/** Check codes for a listing read with `full`, here and now. */
export function checkListing(listing: DirListing, srcDir: string, srcAscii: boolean, dest: DestDir): CheckCodes {
  if (!listing.num) return new Uint8Array(listing.names.length);
  return checkNames(listing.names, listing.num, srcDir, srcAscii, dest, { lstatSync, readlinkSync, Buffer }, sameEntry, metaOf);
}

const WORKER = `
const { parentPort } = require('node:worker_threads');
const { lstatSync, readlinkSync } = require('node:fs');
const checkNames = (${checkNames.toString()});
const sameEntry = (${sameEntry.toString()});
const metaOf = (${metaOf.toString()});
parentPort.on('message', ({ id, names, num, srcDir, srcAscii, dest }) => {
  const list = num.length ? names.split('\\0') : [];
  const check = checkNames(list, num, srcDir, srcAscii, dest, { lstatSync, readlinkSync, Buffer }, sameEntry, metaOf);
  parentPort.postMessage({ id, check }, [check.buffer]);
});
`;

/** A thread that checks listings against DST; answers come back in order, as promises. */
export class DestChecker {
  private worker: import('node:worker_threads').Worker | null;
  private waiting = new Map<number, { done: (c: CheckCodes) => void; listing: DirListing; srcDir: string; srcAscii: boolean; dest: DestDir }>();
  private nextId = 1;

  /** node:worker_threads is loaded only when a checker is made (its import costs every start ~12 ms). */
  static async create(): Promise<DestChecker> {
    const { Worker } = await import('node:worker_threads');
    return new DestChecker(new Worker(WORKER, { eval: true }));
  }

  private constructor(worker: import('node:worker_threads').Worker) {
    this.worker = worker;
    worker.on('message', (m: { id: number; check: Uint8Array }) => {
      const job = this.waiting.get(m.id);
      if (!job) return;
      this.waiting.delete(m.id);
      job.done(m.check);
    });
    // the thread died: what it had is checked here, and so is everything after
    worker.on('error', () => {
      this.close();
      for (const [id, j] of this.waiting) {
        this.waiting.delete(id);
        j.done(checkListing(j.listing, j.srcDir, j.srcAscii, j.dest));
      }
    });
  }

  check(listing: DirListing, srcDir: string, srcAscii: boolean, dest: DestDir): Promise<CheckCodes> {
    if (!this.worker || !listing.num) return Promise.resolve(checkListing(listing, srcDir, srcAscii, dest));
    const id = this.nextId++;
    return new Promise((done) => {
      this.waiting.set(id, { done, listing, srcDir, srcAscii, dest });
      this.worker!.postMessage({ id, names: listing.names.join('\0'), num: listing.num, srcDir, srcAscii, dest });
    });
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}
