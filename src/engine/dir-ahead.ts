// Where the crawler gets each directory's listing (and, with the destination check, its check
// codes): read here when it is needed, or ahead of the walk by reader threads on a big tree
// where they pay (cores to spare, or a filesystem that makes the crawl wait), while the walk
// still goes in order. A thread's job is a few directories from the top of the walk's stack and,
// while its budget lasts, their subtrees in walk order (tree-job.ts): the walk then finds most
// directories it reaches already read, with no round trip to a thread for each, and both trees'
// lstats run on every core. Two ways to share the reads:
//  - prefetch (cores to spare, or a filesystem that makes the crawl wait): the threads read what
//    the walk takes next, several jobs at a time, and the walk mostly waits on none of it;
//  - split (a small machine whose crawl is all the CPU work there is: a no-op re-run, a listing):
//    one thread reads the subtree after the one the walk is in (one job at a time, a big
//    budget) while the walk reads its own; the walk then goes through the thread's part with no
//    syscalls. Measured on 2 cores, 200k entries: a no-op re-run 0.77 → 0.64 s; with the thread
//    from the start (SPLIT_AFTER_MS) a listing took 0.34 s instead of 0.40.
import type { AheadMode } from './ahead-decision.ts';
import { AheadTiming } from './ahead-timing.ts';
import { checkListing, type DestDir } from './dest-probe.ts';
import { destExtras, indexExtras } from './dest-extras.ts';
import { readdirSync } from 'node:fs';
import type { CheckPolicy } from './dest-check.ts';
import { readDirNow, readerThreads, type DirResult } from './dir-reader.ts';
import type { TreeStart } from './tree-job.ts';
import { TreePool, type Listed } from './tree-pool.ts';

export type { Listed } from './tree-pool.ts';
export { entriesAhead, type AheadMode } from './ahead-decision.ts';

/** A directory on the crawler's stack. */
export interface AheadNode {
  ascii: boolean;
  /** Its DST twin, when its entries are checked against it. */
  dest?: DestDir;
  /** Its listing (and check codes), under way or read; null: read it here. */
  pre?: Promise<Listed | null>;
  /** The job it is a start of. */
  job?: { left: number };
  /** Its lstat's link count: on most filesystems 2 + its subdirectories (a size hint). */
  st?: { nlink: number };
}

const FORCED: AheadMode | null = process.env.MULTISYNC_CRAWL_POOL === 'force' ? 'prefetch' : process.env.MULTISYNC_CRAWL_POOL === 'split' ? 'split' : null;
/** split: the entries a job reads at most (~8 MB of listings held for the walk). */
const SPLIT_BUDGET = 8192;

/** Stack entries (from the top) that may have a read under way or waiting to be taken. */
const READ_AHEAD = 64;
/** Directories a job starts from, and the entries after which it reads no more below them. */
const STARTS_PER_JOB = 4;
const JOB_BUDGET = 1024;
/** Jobs under way or not yet taken, per thread: what bounds the listings held ahead of the walk. */
const JOBS_PER_THREAD = 4;
const THREADS = readerThreads();

export class DirAhead {
  private pool: TreePool | null = null;
  private starting = false;
  private closed = false;
  /** Jobs whose starts are not all taken yet. */
  private alive = 0;
  private stack: AheadNode[] = [];
  private readonly timing = new AheadTiming();
  private mode: AheadMode = 'prefetch';
  /** Directories taken and their entries, for the size estimate. */
  private dirsRead = 0;
  private entriesRead = 0;

  /**
   * `slow`: the test hook that slows reads down (no threads then). `policy`: the destination
   * check's; `xdev`: with rsync -x, the source's device (-1: none). `othersIdle`: nothing but
   * the crawl uses the CPU now (no rsync running); absent, the crawl is all there is.
   * `crawlIsAll`: nothing else will want the CPU soon (EARLY_MS); absent, the crawl
   * is all there is. `force`: threads at once, in this mode (tests; else env MULTISYNC_CRAWL_POOL).
   */
  constructor(
    private readonly dirOf: (n: AheadNode) => string,
    private readonly slow: boolean,
    private readonly policy: CheckPolicy | undefined,
    private readonly xdev: number,
    private readonly othersIdle: () => boolean = () => true,
    private readonly crawlIsAll: () => boolean = () => true,
    private readonly force: AheadMode | null = FORCED,
    /** Listings read while DST's listing arrived (early-reads.ts), by directory: taken from here. */
    private readonly early?: Map<string, DirResult>,
  ) {}

  /** Called before each directory is taken: sends the next ones on the stack to the threads. */
  async prepare(stack: AheadNode[]): Promise<void> {
    if (this.slow || THREADS === 0) return;
    this.stack = stack;
    if (!this.pool) {
      const mode = this.starting ? null : (this.force ?? this.pays());
      if (mode) {
        this.starting = true;
        this.mode = mode;
        const made = TreePool.create(mode === 'split' ? 1 : THREADS).then(
          (p) => {
            if (this.closed) p.close();
            else this.pool = p;
            return this.closed ? undefined : p;
          },
          () => undefined,
        );
        if (this.force) await (await made)?.whenReady();
      }
      if (!this.pool) return;
    }
    const pool = this.pool;
    if (!pool.ready) return;
    if (this.mode === 'split') return this.split(stack, pool);
    const max = THREADS * JOBS_PER_THREAD;
    let starts: AheadNode[] = [];
    const send = () => {
      const left = { left: starts.length };
      this.alive++;
      const job = starts.map((n): TreeStart => ({ dir: this.dirOf(n), ascii: n.ascii, dest: n.dest && { dir: n.dest.dir, ascii: n.dest.ascii } }));
      // while the walk knows few directories, single ones: their subdirectories fan out faster
      const narrow = stack.length < THREADS * STARTS_PER_JOB;
      const reads = pool.run({ starts: job, policy: this.policy, budget: narrow ? 0 : JOB_BUDGET, xdev: this.xdev });
      // a thread that is done gets its next job at once, not when the walk comes back here
      void reads.then(() => this.pool && void this.prepare(this.stack));
      for (let k = 0; k < starts.length; k++) {
        const dir = job[k].dir;
        starts[k].pre = reads.then((m) => m?.get(dir) ?? null);
        starts[k].job = left;
      }
      starts = [];
    };
    const limit = Math.max(0, stack.length - READ_AHEAD);
    for (let k = stack.length - 1; k >= limit && this.alive < max; k--) {
      if (stack[k].pre) {
        if (starts.length) send();
        continue;
      }
      starts.push(stack[k]);
      if (starts.length === STARTS_PER_JOB) send();
    }
    if (starts.length) send();
  }

  /** split: one job at a time, the subtree after the one the walk is in (the walk reads the top). */
  private split(stack: AheadNode[], pool: TreePool): void {
    if (this.alive > 0) return;
    for (let k = stack.length - 2; k >= 0; k--) {
      const n = stack[k];
      if (n.pre) continue;
      this.alive++;
      const dir = this.dirOf(n);
      const reads = pool.run({ starts: [{ dir, ascii: n.ascii, dest: n.dest && { dir: n.dest.dir, ascii: n.dest.ascii } }], policy: this.policy, budget: SPLIT_BUDGET, xdev: this.xdev });
      n.pre = reads.then((m) => m?.get(dir) ?? null);
      n.job = { left: 1 };
      return;
    }
  }

  /**
   * Whether threads would pay, and how (ahead-decision.ts): asked before each directory until it
   * is settled (prepare sets this.starting for a mode; a final no sets it here), null meanwhile
   * and when they would not.
   */
  private pays(): AheadMode | null {
    const d = this.timing.decide({ othersIdle: () => this.othersIdle(), crawlIsAll: () => this.crawlIsAll(), checked: !!this.policy, dirsRead: this.dirsRead, entriesRead: this.entriesRead, stack: this.stack });
    if (d.final) this.starting = true;
    return d.mode;
  }

  /** A subdirectory the walk just met: its listing, when the job that read its parent read it. */
  adopt(child: AheadNode, parent: Listed): void {
    const l = parent.more?.get(this.dirOf(child));
    if (l) child.pre = Promise.resolve(l);
  }

  /** The listing and check codes of a directory just taken off the stack. */
  async take(n: AheadNode): Promise<Listed> {
    if (n.job && --n.job.left === 0) this.alive--;
    n.job = undefined;
    if (n.pre) {
      const r = await n.pre;
      n.pre = undefined;
      if (r) {
        this.counted(r.listing);
        return r;
      }
    }
    const dir = this.dirOf(n);
    const listing = this.early?.get(dir) ?? readDirNow(dir, n.ascii, n.dest !== undefined);
    this.early?.delete(dir);
    this.counted(listing);
    if (!n.dest || 'error' in listing) return { listing };
    const extra = !n.dest.policy.extras ? undefined : n.dest.index ? indexExtras(listing.names, n.dest.dir, n.dest.index) : destExtras(listing.names, n.dest, { readdirSync, Buffer });
    return { listing, check: checkListing(listing, this.dirOf(n), n.ascii, n.dest), extra };
  }

  private counted(l: Listed['listing']): void {
    this.dirsRead++;
    if ('names' in l) this.entriesRead += l.names.length;
  }

  /** Ends the threads (a pool still starting ends as soon as it is up). */
  close(): void {
    this.closed = true;
    this.pool?.close();
    this.pool = null;
  }
}
