// Reading a directory for the crawler: its names (latin1 strings, one char per byte, sorted as
// rsync sorts) and every entry's lstat, read synchronously — a promise per lstat costs more than
// the lstat. A big tree's directories are read by a pool of worker threads, ahead of the crawl
// (which still walks them in order): lstat is most of a crawl, and it runs on every core then.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { metaOf, sameEntry, type CheckPolicy } from './dest-check.ts';

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
  /** With a destination check: a code per name (CheckCodes). */
  check?: CheckCodes;
}

export type DirResult = DirListing | { error: NodeJS.ErrnoException };

/** The same directory in a local DST, for the destination check (dest-check.ts). */
export interface DestDir {
  /** Absolute latin1 path, without the trailing slash. */
  dir: string;
  ascii: boolean;
  policy: CheckPolicy;
}

/**
 * Per name of a directory being read with a destination check: 1 = DST has it as rsync would
 * leave it (nothing to do), 0 = missing or different; for a subdirectory 2 = DST has a directory
 * there whose own metadata differs (its entries can still be checked), 1 = the same directory,
 * 0 = none.
 */
export type CheckCodes = Uint8Array;

const NON_ASCII = /[^\x00-\x7f]/;

/** A latin1 path as the kernel gets it: a string when it is ASCII (Bun's fast path), else bytes. */
export const sysPath = (p: string, ascii: boolean): string | Buffer => (ascii && !NON_ASCII.test(p) ? p : Buffer.from(p, 'latin1'));

export function lite(st: StatLite): StatLite {
  return { mode: st.mode, size: st.size, ino: st.ino, dev: st.dev, nlink: st.nlink };
}

/** Reads one directory here, now. `dir` is an absolute latin1 path without the trailing slash. */
export function readDirNow(dir: string, ascii: boolean, dest?: DestDir): DirResult {
  let names: string[];
  try {
    names = readdirSync(sysPath(dir, ascii), { encoding: 'latin1' }) as string[];
  } catch (err) {
    return { error: err as NodeJS.ErrnoException };
  }
  // latin1 strings compare like their bytes: rsync's order
  names.sort();
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const stats: DirListing['stats'] = new Array(names.length);
  if (dest) {
    const r = statChecked(names, prefix, ascii, dest, { lstatSync, readlinkSync, Buffer }, sameEntry, metaOf);
    for (let i = 0, k = 0; i < names.length; i++, k += 5) stats[i] = { mode: r.num[k], size: r.num[k + 1], ino: r.num[k + 2], dev: r.num[k + 3], nlink: r.num[k + 4] };
    for (const [i, code, message] of r.errs) stats[i] = errnoOf(code, message);
    return { names, stats, check: r.check };
  }
  for (let i = 0; i < names.length; i++) {
    try {
      stats[i] = lstatSync(sysPath(prefix + names[i], ascii));
    } catch (err) {
      stats[i] = err as NodeJS.ErrnoException;
    }
  }
  return { names, stats };
}

interface CheckFs {
  lstatSync: typeof lstatSync;
  readlinkSync: typeof readlinkSync;
  Buffer: typeof Buffer;
}

/**
 * lstat of every name in SRC and in DST, and the check code of each (CheckCodes); SRC stats as
 * [mode, size, ino, dev, nlink] per name (mode -1: lstat failed, see errs). Self-contained (no
 * outer names): the reader threads run its source text too.
 */
function statChecked(names: string[], prefix: string, ascii: boolean, dest: DestDir, fs: CheckFs, same: typeof sameEntry, meta: typeof metaOf) {
  const nonAscii = /[^\x00-\x7f]/;
  const sys = (p: string, a: boolean) => (a && !nonAscii.test(p) ? p : fs.Buffer.from(p, 'latin1'));
  const dstPrefix = dest.dir.endsWith('/') ? dest.dir : `${dest.dir}/`;
  const num = new Float64Array(names.length * 5);
  const check = new Uint8Array(names.length);
  const errs: Array<[number, string | undefined, string]> = [];
  for (let i = 0; i < names.length; i++) {
    const k = i * 5;
    let s;
    try {
      const st = fs.lstatSync(sys(prefix + names[i], ascii), { bigint: true });
      num[k] = Number(st.mode);
      num[k + 1] = Number(st.size);
      num[k + 2] = Number(st.ino);
      num[k + 3] = Number(st.dev);
      num[k + 4] = Number(st.nlink);
      s = meta(st);
    } catch (e) {
      num[k] = -1;
      errs.push([i, (e as NodeJS.ErrnoException).code, (e as Error).message]);
      continue;
    }
    let d = null;
    try {
      const st = fs.lstatSync(sys(dstPrefix + names[i], dest.ascii), { bigint: true, throwIfNoEntry: false });
      if (st) d = meta(st);
    } catch {
      d = null; // not a directory on the way, no access: rsync will tell
    }
    if (!d) continue;
    const type = s.mode & 0o170000;
    if (type === 0o040000) {
      if ((d.mode & 0o170000) === 0o040000) check[i] = same(s, d, dest.policy) ? 1 : 2;
      continue;
    }
    let linkSame = false;
    if (type === 0o120000 && same(s, d, dest.policy, true)) {
      try {
        linkSame = fs.readlinkSync(sys(prefix + names[i], ascii), 'buffer').equals(fs.readlinkSync(sys(dstPrefix + names[i], dest.ascii), 'buffer'));
      } catch {
        linkSame = false;
      }
    }
    if (same(s, d, dest.policy, linkSame)) check[i] = 1;
  }
  return { num, check, errs };
}

// The worker's code, self-contained (no imports of ours: it runs from a string, in the
// binary too). It answers { id, dir, ascii, dest? } with the names and a Float64Array of
// [mode, size, ino, dev, nlink] per name (mode -1: lstat failed, see errs), and with a
// destination the check codes (statChecked, sameEntry and metaOf travel as their source text).
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { lstatSync, readdirSync, readlinkSync } = require('node:fs');
const statChecked = (${statChecked.toString()});
const sameEntry = (${sameEntry.toString()});
const metaOf = (${metaOf.toString()});
const NON_ASCII = /[^\\x00-\\x7f]/;
const sys = (p, ascii) => (ascii && !NON_ASCII.test(p) ? p : Buffer.from(p, 'latin1'));
parentPort.on('message', ({ id, dir, ascii, dest }) => {
  let names;
  try {
    names = readdirSync(sys(dir, ascii), { encoding: 'latin1' });
  } catch (e) {
    parentPort.postMessage({ id, error: { code: e.code, message: e.message } });
    return;
  }
  names.sort();
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  if (dest) {
    const r = statChecked(names, prefix, ascii, dest, { lstatSync, readlinkSync, Buffer }, sameEntry, metaOf);
    parentPort.postMessage({ id, names: names.join('\\0'), num: r.num, errs: r.errs, check: r.check }, [r.num.buffer, r.check.buffer]);
    return;
  }
  const num = new Float64Array(names.length * 5);
  const errs = [];
  for (let i = 0; i < names.length; i++) {
    try {
      const st = lstatSync(sys(prefix + names[i], ascii));
      const k = i * 5;
      num[k] = st.mode; num[k + 1] = st.size; num[k + 2] = st.ino; num[k + 3] = st.dev; num[k + 4] = st.nlink;
    } catch (e) {
      num[i * 5] = -1;
      errs.push([i, e.code, e.message]);
    }
  }
  // one string (NUL never occurs in a name) clones far cheaper than an array of them
  parentPort.postMessage({ id, names: names.join('\\0'), num, errs }, [num.buffer]);
});
`;

function errnoOf(code: string | undefined, message: string): NodeJS.ErrnoException {
  const e = new Error(message) as NodeJS.ErrnoException;
  if (code) e.code = code;
  return e;
}

/** A pool of threads that read directories; results come back as promises, in any order. */
export class DirReaderPool {
  private workers: Worker[];
  private waiting = new Map<number, { done: (r: DirResult) => void; dir: string; ascii: boolean; dest?: DestDir }>();
  private nextId = 1;
  private rr = 0;
  private broken = false;

  constructor(threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(WORKER, { eval: true });
      w.on('message', (m: { id: number; error?: { code?: string; message: string }; names?: string; num?: Float64Array; errs?: Array<[number, string, string]>; check?: Uint8Array }) => {
        const done = this.waiting.get(m.id)?.done;
        if (!done) return;
        this.waiting.delete(m.id);
        if (m.error) return done({ error: errnoOf(m.error.code, m.error.message) });
        const num = m.num!;
        const names = num.length ? m.names!.split('\0') : [];
        const stats: DirListing['stats'] = new Array(names.length);
        for (let i = 0, k = 0; i < names.length; i++, k += 5) stats[i] = { mode: num[k], size: num[k + 1], ino: num[k + 2], dev: num[k + 3], nlink: num[k + 4] };
        for (const [i, code, message] of m.errs!) stats[i] = errnoOf(code, message);
        done(m.check ? { names, stats, check: m.check } : { names, stats });
      });
      w.on('error', () => this.fail());
      return w;
    });
  }

  read(dir: string, ascii: boolean, dest?: DestDir): Promise<DirResult> {
    if (this.broken) return Promise.resolve(readDirNow(dir, ascii, dest));
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, { done: resolve, dir, ascii, dest });
      this.workers[this.rr++ % this.workers.length].postMessage({ id, dir, ascii, dest });
    });
  }

  /** A worker died: what the pool had is read here instead, and so is everything after. */
  private fail(): void {
    this.close();
    this.broken = true;
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.done(readDirNow(w.dir, w.ascii, w.dest));
    }
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}

/** Threads for reading directories ahead: none under Deno (eval workers), else up to 4 (env MULTISYNC_CRAWL_THREADS). */
export function readerThreads(env: NodeJS.ProcessEnv = process.env): number {
  if ('Deno' in globalThis) return 0;
  const n = Number(env.MULTISYNC_CRAWL_THREADS);
  if (env.MULTISYNC_CRAWL_THREADS && Number.isInteger(n) && n >= 0) return Math.min(n, 16);
  return Math.min(4, Math.max(2, availableParallelism()));
}
