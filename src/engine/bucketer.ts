// Cuts the stream of crawled entries into buckets. Entries wait in a pool (FIFO, crawl order);
// every bucket is cut from its head and holds at most maxFiles entries and maxBytes bytes (a
// single larger file or link group gets a bucket of its own). A bucket is cut:
//  - when a worker is idle (demand) while the crawl goes on: a share of what was found so far,
//    once the pool is worth an rsync (minLive entries) or has waited liveFlushMs (a slow crawl);
//  - when the pool is full (window entries, a big tree): its older half, in pieces of 1/slots
//    of what it holds;
//  - when the crawl of the source ends (flush): what is left is known, so it is planned — pieces
//    shrinking from 1/slots of the rest down to a floor (guided self-scheduling: few buckets,
//    and small ones at the end so no straggler holds the end; bucket-sizing.ts), handed out
//    largest first.
// This module decides when and how much is cut; the pool, the cutting itself and the lists on
// disk are bucket-cutter.ts, the config and its defaults bucketer-config.ts.
import { BucketCutter } from './bucket-cutter.ts';
import { DEFAULT_LIVE_FLUSH_MS, DEFAULT_LIVE_GRACE_MS, DEFAULT_MIN_LIVE, DEFAULT_MIN_LIVE_BYTES, POOL_WINDOW, type BucketerConfig } from './bucketer-config.ts';
import { headByCost, pieceCost, planPieces } from './bucket-sizing.ts';
import type { Entry } from './types.ts';

export { bucketName, writeListFile } from './bucket-files.ts';
export { ENTRY_COST, REMOTE_ENTRY_COST, type BucketerConfig } from './bucketer-config.ts';

export class Bucketer extends BucketCutter {
  private pumping = false;
  private hungry = false;
  private readonly minLive: number;
  private readonly minLiveBytes: number;
  /** The pool's size (entries) before its older half is cut (the caps bound buckets, not the pool). */
  private readonly window: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;
  /** When the first entry came (the crawl's start, for liveGraceMs). */
  private firstAt = 0;

  constructor(cfg: BucketerConfig) {
    super(cfg);
    this.minLive = cfg.minLive ?? DEFAULT_MIN_LIVE;
    this.minLiveBytes = cfg.minLiveBytes ?? DEFAULT_MIN_LIVE_BYTES;
    this.window = cfg.window ?? Math.max(POOL_WINDOW, 2 * Math.min(cfg.maxFiles, POOL_WINDOW));
  }

  add(source: number, e: Entry): void {
    if (this.pendingFiles && source !== this.source) {
      this.addGroup(source, [e]);
      return;
    }
    if (!this.pendingFiles) this.open(source);
    this.pool.push(e.rel ?? e.path, e.size, true);
    this.added++;
    this.addedCost += e.size + this.entryCost;
    if (this.pendingFiles >= this.window) this.cutWindow();
    else if (this.hungry && this.pendingFiles >= this.minLive) this.pump();
  }

  /** The pool was empty: its entries start coming from `source` now (the first time: the crawl's start). */
  private open(source: number): void {
    this.source = source;
    this.openedAt = Date.now();
    this.firstAt ||= this.openedAt;
  }

  /** Adds entries that must travel together (e.g. the names of one hardlinked inode). */
  addGroup(source: number, group: Entry[]): void {
    if (!group.length) return;
    if (this.pendingFiles && source !== this.source) this.flush();
    if (!this.pendingFiles) this.open(source);
    const size = group.reduce((s, e) => s + e.size, 0);
    for (let i = 0; i < group.length; i++) {
      const e = group[i];
      // (a copy made with {...e} keeps rel, not the crawler's lazy path)
      this.pool.push(e.rel ?? e.path, e.size, i === 0);
    }
    this.added += group.length;
    this.addedCost += size + group.length * this.entryCost;
    if (this.pendingFiles >= this.window) this.cutWindow();
    else if (this.hungry) this.pump();
  }

  /**
   * The pool is full (a big tree): its older half goes out in pieces of 1/slots of what the
   * pool holds, within the caps.
   */
  private cutWindow(): void {
    const slots = Math.max(1, this.cfg.slots?.() ?? 1);
    while (this.pendingFiles && this.pendingFiles >= this.window / 2) {
      let cost = this.pool.bytes;
      cost += this.pendingFiles * this.entryCost;
      this.cutHead(headByCost(this.pool, this.caps, cost / slots));
    }
  }

  /** Idle workers while the crawl goes on: hand them what the pool has, once it is worth it. */
  pump(): void {
    if (this.pumping || !this.cfg.demand) return;
    this.pumping = true;
    try {
      let want = this.cfg.demand();
      while (this.pendingFiles && want > 0) {
        const now = Date.now();
        const flushMs = this.cfg.liveFlushMs ?? DEFAULT_LIVE_FLUSH_MS;
        const graceMs = this.cfg.liveGraceMs ?? DEFAULT_LIVE_GRACE_MS;
        // (too few entries for an rsync and not waiting long enough, or the crawl just began)
        const wait = Math.max(graceMs - (now - this.firstAt), this.pendingFiles < this.minLive ? flushMs - (now - this.openedAt) : 0);
        if (wait > 0) {
          if (!this.timer || this.timerAt > now + wait) {
            if (this.timer) clearTimeout(this.timer);
            this.timerAt = now + wait;
            this.timer = setTimeout(() => {
              this.timer = null;
              this.pump();
            }, wait);
            this.timer.unref?.();
          }
          break;
        }
        // a share of what the crawl found so far: most of the tree stays in the pool until the
        // crawl ends and it can be planned as a whole
        const slots = Math.max(1, this.cfg.slots?.() ?? 1);
        const target = Math.max(Math.min(this.minLive * this.entryCost, this.minLiveBytes) / 2, this.addedCost / (2 * slots));
        this.cutHead(headByCost(this.pool, this.caps, target));
        want = this.cfg.demand();
      }
      // an idle worker waits: the next add that makes the pool worth a bucket pumps again
      this.hungry = want > 0;
    } finally {
      this.pumping = false;
    }
  }

  /**
   * The crawl of the current source is over: cuts everything left, planned (see the top of the
   * file) and handed out largest first.
   */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const n = this.pendingFiles;
    if (!n) return;
    const slots = this.cfg.slots?.() ?? 1;
    const pieces = planPieces(this.pool, this.caps, slots);
    // largest first, when there are slots to balance (one slot: the crawl's order)
    if (slots > 1) pieces.sort((a, b) => pieceCost(b, this.entryCost) - pieceCost(a, this.entryCost));
    const settledBefore = this.added - n;
    for (let i = 0; i < pieces.length; i++) this.emit(pieces[i], i === pieces.length - 1 ? this.added : settledBefore);
    this.reset(n);
  }

  /** A cut that empties the pool also drops a pending live flush. */
  protected override reset(upTo: number): void {
    super.reset(upTo);
    if (!this.pendingFiles && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
