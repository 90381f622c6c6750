// The crawl's reader threads: each runs tree-job.ts's walkTree from its source text (so it works
// in the compiled binary too, with no file of its own) and answers a job with every directory it
// read. Results come back as the crawler's own listings and check codes, keyed by directory.
import { checkNames, destChild } from './dest-probe.ts';
import { entryCode, metaOf, sameEntry } from './dest-check.ts';
import { destExtras } from './dest-extras.ts';
import { errnoOf, statNames, statsOf, type DirResult } from './dir-reader.ts';
import { walkTree, type TreeJob, type TreeRead } from './tree-job.ts';

/** A directory's listing and, when its DST twin was checked, the check codes. */
export interface Listed {
  listing: DirResult;
  check?: Uint8Array;
  /** DST's twin holds a name SRC lacks (policy.extras: dest-extras.ts). */
  extra?: boolean;
  /** Directories below it that the same job read (keyed by absolute latin1 path). */
  more?: Map<string, Listed>;
}

const WORKER = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const io = { lstatSync: fs.lstatSync, readlinkSync: fs.readlinkSync, readdirSync: fs.readdirSync, Buffer };
const fns = {
  statNames: (${statNames.toString()}),
  checkNames: (${checkNames.toString()}),
  metaOf: (${metaOf.toString()}),
  sameEntry: (${sameEntry.toString()}),
  entryCode: (${entryCode.toString()}),
  destChild: (${destChild.toString()}),
  destExtras: (${destExtras.toString()}),
};
const walkTree = (${walkTree.toString()});
parentPort.on('message', ({ id, job }) => {
  const out = walkTree(job, io, fns);
  const moved = [];
  // one string per directory (NUL never occurs in a name) clones far cheaper than an array
  for (const r of out) if (r.num) { moved.push(r.num.buffer); if (r.check) moved.push(r.check.buffer); }
  parentPort.postMessage({ id, out }, moved);
});
`;

/** The reads of one job, as listings keyed by directory (all sharing one `more` map). */
export function listedOf(out: TreeRead[]): Map<string, Listed> {
  const more = new Map<string, Listed>();
  for (const r of out) {
    if ('error' in r) {
      more.set(r.dir, { listing: { error: errnoOf(r.error.code, r.error.message) }, more });
      continue;
    }
    const names = r.count ? r.names.split('\0') : [];
    const stats = statsOf(names.length, r.num, r.errs);
    const listing = r.check ? { names, stats, num: r.num } : { names, stats };
    more.set(r.dir, { listing, check: r.check, extra: r.extra, more });
  }
  return more;
}

export class TreePool {
  private workers: import('node:worker_threads').Worker[] = [];
  private waiting = new Map<number, (m: Map<string, Listed> | null) => void>();
  /** Per thread: a job under way. Jobs wait here until a thread is free (pull, not push). */
  private working: boolean[] = [];
  private queue: Array<{ id: number; job: TreeJob }> = [];
  private nextId = 1;
  private broken = false;
  /** Every thread is up (until then the crawl reads on its own). */
  ready = false;
  private onReady: Array<() => void> = [];

  /** node:worker_threads is loaded only here: importing it costs ~12 ms of every start. */
  static async create(threads: number): Promise<TreePool> {
    const { Worker } = await import('node:worker_threads');
    return new TreePool(threads, Worker);
  }

  private constructor(threads: number, Worker: typeof import('node:worker_threads').Worker) {
    let online = 0;
    for (let t = 0; t < threads; t++) {
      const w = new Worker(WORKER, { eval: true });
      w.on('online', () => {
        if (++online < threads) return;
        this.ready = true;
        for (const f of this.onReady.splice(0)) f();
      });
      w.on('message', (m: { id: number; out: TreeRead[] }) => {
        const done = this.waiting.get(m.id);
        if (!done) return;
        this.waiting.delete(m.id);
        this.working[t] = false;
        this.pump();
        done(listedOf(m.out));
      });
      w.on('error', () => this.fail());
      this.workers.push(w);
      this.working.push(false);
    }
  }

  /** Resolves once every thread is up. */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((r) => this.onReady.push(r));
  }

  /** Jobs sent and not answered yet. */
  get busy(): number {
    return this.waiting.size;
  }

  /**
   * The job's reads, or null when the pool broke (the caller then reads on its own). Jobs are
   * taken in the order they come, each by the next thread that is free: a job the walk waits
   * for is never stuck behind a long one on a busy thread while another thread idles.
   */
  run(job: TreeJob): Promise<Map<string, Listed> | null> {
    if (this.broken) return Promise.resolve(null);
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, resolve);
      this.queue.push({ id, job });
      this.pump();
    });
  }

  private pump(): void {
    for (let t = 0; t < this.workers.length && this.queue.length; t++) {
      if (this.working[t]) continue;
      this.working[t] = true;
      this.workers[t].postMessage(this.queue.shift());
    }
  }

  /** A thread died: nothing more goes to the pool, and what it had is read by the caller. */
  private fail(): void {
    this.close();
    this.broken = true;
    for (const [id, done] of this.waiting) {
      this.waiting.delete(id);
      done(null);
    }
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}
