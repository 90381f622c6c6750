// Reading a directory for the crawler: its names (latin1 strings, one char per byte, sorted as
// rsync sorts) and every entry's lstat, read synchronously — a promise per lstat costs more than
// the lstat. The reader threads (tree-pool.ts) run the same statNames from its source text.
import { lstatSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { metaOf } from './dest-check.ts';
import { fromInside } from './inside-dir.ts';

/** What the crawler needs of an lstat (the rest of Stats is never used). */
export interface StatLite {
  mode: number;
  size: number;
  ino: number;
  dev: number;
  nlink: number;
}

export interface DirListing {
  names: string[];
  /** Per name: its lstat, or the error that lstat gave. */
  stats: Array<StatLite | NodeJS.ErrnoException>;
  /** A full read's raw numbers: STAT_FIELDS per name, mode -1 where lstat failed. */
  num?: Float64Array;
  /** A full read went on with bigint lstats (its mtimes were whole seconds): its DST twin likely too. */
  big?: boolean;
}

export type DirResult = DirListing | { error: NodeJS.ErrnoException };

const NON_ASCII = /[^\x00-\x7f]/;
/** The last full read ended with bigint lstats. */
let bigHint = false;

/** A latin1 path as the kernel gets it: a string when it is ASCII (Bun's fast path), else bytes. */
export const sysPath = (p: string, ascii: boolean): string | Buffer => (ascii && !NON_ASCII.test(p) ? p : Buffer.from(p, 'latin1'));

export function lite(st: StatLite): StatLite {
  return { mode: st.mode, size: st.size, ino: st.ino, dev: st.dev, nlink: st.nlink };
}

/**
 * Reads one directory here, now. `dir` is an absolute latin1 path without the trailing slash.
 * `full`: also the attributes the destination check compares (in the listing's `num`).
 */
export function readDirNow(dir: string, ascii: boolean, full = false): DirResult {
  let names: string[];
  try {
    names = readdirSync(sysPath(dir, ascii), { encoding: 'latin1' }) as string[];
  } catch (err) {
    return { error: err as NodeJS.ErrnoException };
  }
  // latin1 strings compare like their bytes: rsync's order
  names.sort();
  return fromInside(dir, ascii, names.length, (inside) => {
    const prefix = inside ? '' : dir.endsWith('/') ? dir : `${dir}/`;
    if (full) {
      // (a tree whose mtimes are whole seconds has them in most directories: start where the last one ended)
      const r = statNames(names, prefix, ascii, true, { lstatSync, Buffer }, metaOf, bigHint);
      bigHint = r.big;
      return { names, stats: statsOf(names.length, r.num, r.errs), num: r.num, big: r.big };
    }
    const stats: DirListing['stats'] = new Array(names.length);
    for (let i = 0; i < names.length; i++) {
      try {
        stats[i] = lstatSync(sysPath(prefix + names[i], ascii));
      } catch (err) {
        stats[i] = err as NodeJS.ErrnoException;
      }
    }
    return { names, stats };
  });
}

/** Numbers per name in statNames' array: mode, size, ino, dev, nlink, mtime seconds, uid, gid, rdev. */
export const STAT_FIELDS = 9;
const FIELDS = STAT_FIELDS;

export function statsOf(n: number, num: Float64Array, errs: Array<[number, string | undefined, string]>): DirListing['stats'] {
  const stats: DirListing['stats'] = new Array(n);
  for (let i = 0, k = 0; i < n; i++, k += FIELDS) {
    stats[i] = { mode: num[k], size: num[k + 1], ino: num[k + 2], dev: num[k + 3], nlink: num[k + 4] };
  }
  for (const [i, code, message] of errs) stats[i] = errnoOf(code, message);
  return stats;
}

export interface StatFs {
  lstatSync: typeof lstatSync;
  Buffer: typeof Buffer;
}

/**
 * lstat of every name: FIELDS numbers per name (mode -1: lstat failed, see errs); with `full`
 * the mtime's seconds are exact — a directory whose number lstats leave them in doubt (whole
 * seconds, see metaOf) goes on with bigint lstats, and starts with them with `big0` (the last
 * directory needed them); `big`: this one did. Self-contained (no outer names): the reader
 * threads run its source text (tree-job.ts).
 */
export function statNames(names: string[], prefix: string, ascii: boolean, full: boolean, fs: StatFs, meta: typeof metaOf, big0 = false) {
  const nonAscii = /[^\x00-\x7f]/;
  const num = new Float64Array(names.length * 9);
  const errs: Array<[number, string | undefined, string]> = [];
  let big = full && big0;
  for (let i = 0, k = 0; i < names.length; i++, k += 9) {
    const p = prefix + names[i];
    // (`ascii`: the prefix is ASCII, so only the name needs a look)
    const path = ascii && !nonAscii.test(names[i]) ? p : fs.Buffer.from(p, 'latin1');
    try {
      let st = big ? fs.lstatSync(path, { bigint: true }) : fs.lstatSync(path);
      let m = full ? meta(st) : null;
      if (m && m.mtimeS !== m.mtimeS) {
        big = true;
        st = fs.lstatSync(path, { bigint: true });
        m = meta(st);
      }
      num[k] = Number(st.mode);
      num[k + 1] = Number(st.size);
      num[k + 2] = Number(st.ino);
      num[k + 3] = Number(st.dev);
      num[k + 4] = Number(st.nlink);
      if (m) {
        num[k + 5] = m.mtimeS;
        num[k + 6] = m.uid;
        num[k + 7] = m.gid;
        num[k + 8] = m.rdev;
      }
    } catch (e) {
      num[k] = -1;
      errs.push([i, (e as NodeJS.ErrnoException).code, (e as Error).message]);
    }
  }
  return { num, errs, big };
}

export function errnoOf(code: string | undefined, message: string): NodeJS.ErrnoException {
  const e = new Error(message) as NodeJS.ErrnoException;
  if (code) e.code = code;
  return e;
}

/** Threads for reading directories ahead: none under Deno (eval workers), else up to 4 (env MULTISYNC_CRAWL_THREADS). */
export function readerThreads(env: NodeJS.ProcessEnv = process.env): number {
  if ('Deno' in globalThis) return 0;
  const n = Number(env.MULTISYNC_CRAWL_THREADS);
  if (env.MULTISYNC_CRAWL_THREADS && Number.isInteger(n) && n >= 0) return Math.min(n, 16);
  return Math.min(4, Math.max(2, availableParallelism()));
}
