// Reading a directory for the crawler: its names (latin1 strings, one char per byte, sorted as
// rsync sorts) and every entry's lstat, read synchronously — a promise per lstat costs more than
// the lstat. A big tree's directories are read by a pool of worker threads, ahead of the crawl
// (which still walks them in order): lstat is most of a crawl, and it runs on every core then.
import { lstatSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

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
}

export type DirResult = DirListing | { error: NodeJS.ErrnoException };

const NON_ASCII = /[^\x00-\x7f]/;

/** A latin1 path as the kernel gets it: a string when it is ASCII (Bun's fast path), else bytes. */
export const sysPath = (p: string, ascii: boolean): string | Buffer => (ascii && !NON_ASCII.test(p) ? p : Buffer.from(p, 'latin1'));

export function lite(st: StatLite): StatLite {
  return { mode: st.mode, size: st.size, ino: st.ino, dev: st.dev, nlink: st.nlink };
}

/** Reads one directory here, now. `dir` is an absolute latin1 path without the trailing slash. */
export function readDirNow(dir: string, ascii: boolean): DirResult {
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
  for (let i = 0; i < names.length; i++) {
    try {
      stats[i] = lstatSync(sysPath(prefix + names[i], ascii));
    } catch (err) {
      stats[i] = err as NodeJS.ErrnoException;
    }
  }
  return { names, stats };
}

// The worker's code, self-contained (no imports of ours: it runs from a string, in the
// binary too). It answers { id, dir, ascii } with the names and a Float64Array of
// [mode, size, ino, dev, nlink] per name (mode -1: lstat failed, see errs).
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { lstatSync, readdirSync } = require('node:fs');
const NON_ASCII = /[^\\x00-\\x7f]/;
const sys = (p, ascii) => (ascii && !NON_ASCII.test(p) ? p : Buffer.from(p, 'latin1'));
parentPort.on('message', ({ id, dir, ascii }) => {
  let names;
  try {
    names = readdirSync(sys(dir, ascii), { encoding: 'latin1' });
  } catch (e) {
    parentPort.postMessage({ id, error: { code: e.code, message: e.message } });
    return;
  }
  names.sort();
  const prefix = dir.endsWith('/') ? dir : dir + '/';
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
  private waiting = new Map<number, { done: (r: DirResult) => void; dir: string; ascii: boolean }>();
  private nextId = 1;
  private rr = 0;
  private broken = false;

  constructor(threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(WORKER, { eval: true });
      w.on('message', (m: { id: number; error?: { code?: string; message: string }; names?: string; num?: Float64Array; errs?: Array<[number, string, string]> }) => {
        const done = this.waiting.get(m.id)?.done;
        if (!done) return;
        this.waiting.delete(m.id);
        if (m.error) return done({ error: errnoOf(m.error.code, m.error.message) });
        const num = m.num!;
        const names = num.length ? m.names!.split('\0') : [];
        const stats: DirListing['stats'] = new Array(names.length);
        for (let i = 0, k = 0; i < names.length; i++, k += 5) stats[i] = { mode: num[k], size: num[k + 1], ino: num[k + 2], dev: num[k + 3], nlink: num[k + 4] };
        for (const [i, code, message] of m.errs!) stats[i] = errnoOf(code, message);
        done({ names, stats });
      });
      w.on('error', () => this.fail());
      return w;
    });
  }

  read(dir: string, ascii: boolean): Promise<DirResult> {
    if (this.broken) return Promise.resolve(readDirNow(dir, ascii));
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, { done: resolve, dir, ascii });
      this.workers[this.rr++ % this.workers.length].postMessage({ id, dir, ascii });
    });
  }

  /** A worker died: what the pool had is read here instead, and so is everything after. */
  private fail(): void {
    this.close();
    this.broken = true;
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.done(readDirNow(w.dir, w.ascii));
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
