// Whether the crawl's reader threads (dir-ahead.ts) pay, and in which mode: a timing rule, from
// how long the crawl has run, the share of that time it waited on the filesystem, the cores, what
// else wants the CPU, and how much of the walk is still ahead. Pure: what it reads of the world
// comes in as its input (the reads that cost something or ask a hook as functions, called only
// when the rule needs them, in the same order as ever).

/**
 * A crawl still going after this long is a big tree: its directories are read ahead by threads
 * when that pays — always with cores to spare, and on a small machine only when the crawl spent
 * more than IO_BOUND of its time waiting on the filesystem (not running, not waiting for a CPU).
 * (Two cores, metadata in the page cache: two threads cost ~30 ms to start and the lstats the
 * same CPU wherever they run; measured, a 200k-entry listing went from 0.50 to 0.49 s with them
 * from 150 ms on; a 21k-entry no-op's crawl was no faster, even with threads from 5 ms on and
 * jobs handed to whichever thread is free, for ~2x the CPU.) Otherwise, when nothing else uses
 * the CPU (CrawlHooks.othersIdle), one thread splits the reads with the walk. Test hook: env
 * MULTISYNC_CRAWL_POOL=force (prefetch) or =split starts them at once, and the walk waits for them.
 */
export const POOL_AFTER_MS = 40;
/**
 * split starts later: a thread costs ~30 ms of CPU to start and warm up (measured), which a
 * small tree's crawl never pays back (a 20k-entry no-op re-run: 0.17 → 0.22 s with one from the
 * start); a crawl still going after this long is big enough.
 */
export const SPLIT_AFTER_MS = 150;
/**
 * ...unless the crawl is plainly long sooner, in a crawl that is all the work there is (a
 * listing, a re-run that found everything in place so far): the entries still to read (the
 * directories on the walk's stack, with the subdirectories their link counts announce, times
 * the entries per directory so far: entriesAhead) at this crawl's own pace so far would take at
 * least this long. Then the threads come at once: split for a listing; prefetch for a re-run,
 * whose destination check doubles each entry's work (measured on 2 cores, a 21k-entry re-run on
 * a box with slow metadata calls, 6 runs each: 0.37-0.44 s alone, 0.36-0.39 s with split, 0.29-0.34
 * s with prefetch, rsync 0.26 s). A 200k-entry listing: 0.76 s with the thread from 150 ms, 0.70 s
 * from ~10 ms (find: 0.63 s). On a box whose calls are fast, a 21k-entry re-run (70 ms) gets none.
 */
export const EARLY_MS = 120;
/** Before this, the filesystem's waits say too little (see IO_BOUND). */
export const EARLY_MIN_MS = 8;
/**
 * A split at SPLIT_AFTER_MS pays only with this much of the walk still ahead at its pace so far
 * (entriesAhead): the thread takes ~30 ms to start, and the walk then waits for its part. Measured
 * on 2 cores, a no-op re-run of a directory-heavy tree (2795 directories, 9.7k entries, ~150 ms
 * alone) that ran past 150 ms got its thread with 65-98% of the directories read: 0.20-0.30 s
 * instead of 0.13-0.22 s.
 */
export const SPLIT_AHEAD_MS = 100;
export const IO_BOUND = 0.5;

export type AheadMode = 'prefetch' | 'split';

/**
 * The entries a walk still has to read, at least: the directories on its stack and the
 * subdirectories their link counts announce (a filesystem whose directories count 1 link, as
 * btrfs's do, announces none), times the entries per directory read so far (0 before two).
 */
export function entriesAhead(stack: ReadonlyArray<{ st?: { nlink: number } }>, dirsRead: number, entriesRead: number): number {
  if (dirsRead < 2) return 0;
  let dirs = 0;
  for (const n of stack) dirs += n.st && n.st.nlink > 2 ? n.st.nlink - 1 : 1;
  return (dirs * entriesRead) / dirsRead;
}

/** What the rule looks at, before a directory is taken. */
export interface AheadInput {
  /** ms the crawl has run so far. */
  ran: number;
  /** The filesystem's waits were already looked at (they are, once, at POOL_AFTER_MS). */
  ioAsked: boolean;
  /** The share of `ran` the crawl spent waiting on the filesystem (read only when not ioAsked). */
  io(): number;
  /** More than two cores (looked at once, when the crawler was loaded). */
  spareCores: boolean;
  /** The cores this process may run on (availableParallelism()). */
  cores(): number;
  /** CrawlHooks.othersIdle: nothing but the crawl uses the CPU now. */
  othersIdle(): boolean;
  /** CrawlHooks.crawlIsAll: nothing else will want the CPU soon. */
  crawlIsAll(): boolean;
  /** The destination check is on (its policy), so each entry's work is doubled. */
  checked: boolean;
  /** Directories taken so far and their entries. */
  dirsRead: number;
  entriesRead: number;
  /** The walk's stack, with its directories' link counts (entriesAhead). */
  stack: ReadonlyArray<{ st?: { nlink: number } }>;
}

/**
 * The rule's answer: the mode (null: no threads, for now or for good); `ioAsked`: the filesystem's
 * waits were looked at now (not to be looked at again); `final`: the question is settled (asked
 * no more: the caller sets DirAhead's `starting`).
 */
export interface AheadDecision {
  mode: AheadMode | null;
  ioAsked: boolean;
  final: boolean;
}

/**
 * Whether threads would pay, and how (see POOL_AFTER_MS, SPLIT_AFTER_MS, SPLIT_AHEAD_MS): asked before each
 * directory until it is settled (a mode, or a final no), null meanwhile and when they would not.
 */
export function decideAhead(a: AheadInput): AheadDecision {
  const early = a.ran >= EARLY_MIN_MS && a.ran < SPLIT_AFTER_MS && longAhead(a);
  if (a.ran < POOL_AFTER_MS && !early) return { mode: null, ioAsked: false, final: false };
  let ioAsked = false;
  if (!a.ioAsked) {
    ioAsked = true;
    const io = a.io();
    if (a.spareCores || io > IO_BOUND) return { mode: 'prefetch', ioAsked, final: false };
  }
  if (a.ran < SPLIT_AFTER_MS && !early) return { mode: null, ioAsked, final: false };
  if (early && a.checked) return { mode: 'prefetch', ioAsked, final: true };
  if (!early) {
    // (the walk's size is known from two directories on: until then, asked again)
    if (a.dirsRead < 2) return { mode: null, ioAsked, final: false };
    if (msAhead(a) < SPLIT_AHEAD_MS) return { mode: null, ioAsked, final: true };
  }
  return { mode: a.cores() > 1 && a.othersIdle() ? 'split' : null, ioAsked, final: true };
}

/** The walk still ahead (entriesAhead) at this crawl's own pace so far, ms. */
function msAhead(a: AheadInput): number {
  return a.entriesRead ? (entriesAhead(a.stack, a.dirsRead, a.entriesRead) * a.ran) / a.entriesRead : 0;
}

/** A long crawl still ahead, in a crawl that is all the work (EARLY_MS)? (every 8th directory) */
function longAhead(a: AheadInput): boolean {
  if ((a.dirsRead & 7) !== 0 || a.entriesRead === 0 || a.cores() < 2) return false;
  return msAhead(a) >= EARLY_MS && a.othersIdle() && a.crawlIsAll();
}
