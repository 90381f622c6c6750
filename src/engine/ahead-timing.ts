// When the crawl's reader threads start (dir-ahead.ts): the rule of ahead-decision.ts, asked with
// the real values: the time since the crawl began, this thread's CPU accounting from /proc (how
// long the crawl waited on the filesystem, looked at once), and the cores.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { decideAhead, type AheadDecision, type AheadInput } from './ahead-decision.ts';

const SPARE_CORES = availableParallelism() > 2;

/** This thread's time on a CPU and waiting for one, ms (Linux), or null. */
function schedstat(): { run: number; wait: number } | null {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ').map(Number);
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return null;
  }
}

/** What the crawl itself tells the rule: its hooks, what it has read and its stack. */
export type CrawlSoFar = Pick<AheadInput, 'othersIdle' | 'crawlIsAll' | 'checked' | 'dirsRead' | 'entriesRead' | 'stack'>;

/** A crawl's clock, from its start: made when the crawl's DirAhead is. */
export class AheadTiming {
  private readonly started = performance.now();
  private readonly sched0 = schedstat();
  /** The filesystem's waits were looked at (once, at POOL_AFTER_MS). */
  private ioAsked = false;

  /** Whether threads would pay now, and how (decideAhead). */
  decide(crawl: CrawlSoFar): AheadDecision {
    const ran = performance.now() - this.started;
    const d = decideAhead({
      ...crawl,
      ran,
      ioAsked: this.ioAsked,
      io: () => {
        const sched = schedstat();
        return sched && this.sched0 ? 1 - (sched.run - this.sched0.run + sched.wait - this.sched0.wait) / ran : 0;
      },
      spareCores: SPARE_CORES,
      cores: () => availableParallelism(),
    });
    if (d.ioAsked) this.ioAsked = true;
    return d;
  }
}
