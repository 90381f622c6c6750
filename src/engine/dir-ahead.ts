// Where the crawler gets each directory's listing (and, with the destination check, its check
// codes): read here when it is needed, or ahead of the walk by a pool of reader threads on a big
// tree, while the walk still goes in order. DST's side is always checked here (dest-probe.ts).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { checkListing, type CheckCodes, type DestDir } from './dest-probe.ts';
import { DirReaderPool, readDirNow, readerThreads, type DirResult } from './dir-reader.ts';

/** A directory on the crawler's stack. */
export interface AheadNode {
  ascii: boolean;
  /** Its DST twin, when its entries are checked against it. */
  dest?: DestDir;
  /** Its listing (and check codes), under way. */
  pre?: Promise<Listed>;
}

export interface Listed {
  listing: DirResult;
  check?: CheckCodes;
}

/**
 * A crawl still going after this long is a big tree: its directories are read ahead by threads
 * when that pays — always with cores to spare, and on a small machine only when the crawl spent
 * more than IO_BOUND of its time waiting on the filesystem (not running, not waiting for a CPU).
 */
const POOL_AFTER_MS = 40;
const IO_BOUND = 0.5;
const SPARE_CORES = availableParallelism() > 2;
/** Directories read ahead (listings held in memory at most). */
const READ_AHEAD = 32;
const THREADS = readerThreads();

/** This thread's time on a CPU and waiting for one, ms (Linux), or null. */
function schedstat(): { run: number; wait: number } | null {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ').map(Number);
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return null;
  }
}

export class DirAhead {
  private pool: DirReaderPool | null = null;
  private decided = false;
  private ahead = 0;
  private readonly started = performance.now();
  private readonly sched0 = schedstat();

  /** `slow`: the test hook that slows reads down (no threads then). */
  constructor(
    private readonly dirOf: (n: AheadNode) => string,
    private readonly slow: boolean,
  ) {}

  /** Called before each directory is taken: starts reads of the next ones on the stack. */
  async prepare(stack: AheadNode[]): Promise<void> {
    if (this.slow || THREADS === 0) return;
    const now = performance.now();
    if (!this.pool && !this.decided && now - this.started >= POOL_AFTER_MS) {
      this.decided = true;
      const sched = schedstat();
      const io = sched && this.sched0 ? 1 - (sched.run - this.sched0.run + sched.wait - this.sched0.wait) / (now - this.started) : 0;
      if (SPARE_CORES || io > IO_BOUND) this.pool = await DirReaderPool.create(THREADS);
    }
    if (!this.pool) return;
    for (let k = stack.length - 1; k >= 0 && this.ahead < READ_AHEAD; k--) {
      const n = stack[k];
      if (n.pre) continue;
      const full = n.dest !== undefined;
      n.pre = this.pool.read(this.dirOf(n), n.ascii, full).then((l) => this.withCheck(n, l));
      this.ahead++;
    }
  }

  /** The listing and check codes of a directory just taken off the stack. */
  async take(n: AheadNode): Promise<Listed> {
    if (n.pre) {
      const r = await n.pre;
      n.pre = undefined;
      this.ahead--;
      return r;
    }
    return this.withCheck(n, readDirNow(this.dirOf(n), n.ascii, n.dest !== undefined));
  }

  private withCheck(n: AheadNode, listing: DirResult): Listed {
    if (!n.dest || 'error' in listing) return { listing };
    return { listing, check: checkListing(listing, this.dirOf(n), n.ascii, n.dest) };
  }

  close(): void {
    this.pool?.close();
  }
}
