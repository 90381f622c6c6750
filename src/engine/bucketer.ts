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
// Lists are NUL-separated files on disk. With wholeDirs, a directory whose whole subtree lies in
// one bucket is listed by its name alone (rsync recurses into it): rsync reads a --files-from
// list one byte per read(2) and opens every path component of every name again (3.4+), which
// made a no-op over listed files three times slower than its own recursion.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CrawlHooks } from './crawler.ts';
import { headByCost, pieceCost, planPieces, type Piece, type SizingCaps } from './bucket-sizing.ts';
import { EntryPool } from './entry-pool.ts';
import type { Bucket, Entry } from './types.ts';
import { WholeDirs } from './whole-dirs.ts';

export interface BucketerConfig {
  dir: string;
  maxFiles: number;
  maxBytes: number;
  /** A new bucket; `settled`: every entry added before the first `settled` ones is now in a bucket. */
  onBucket(b: Bucket, settled: number): void;
  /** Parallel rsyncs (for planning the last buckets); 1 when unset. */
  slots?(): number;
  /** How many buckets the workers could start right now (idle slots, nothing queued); 0 when unset. */
  demand?(): number;
  /** During the crawl an idle worker gets a bucket once the pool has this many entries, or… */
  minLive?: number;
  /** (a live bucket is at least half of minLive entries' or of this many bytes' cost) */
  minLiveBytes?: number;
  /** …or its oldest entry waited this long (ms). */
  liveFlushMs?: number;
  /** Entries the pool holds before its older half is cut (default POOL_WINDOW, at least 2 × maxFiles). */
  window?: number;
  /**
   * What one entry costs beyond its bytes, in bytes (default ENTRY_COST): rsync's time per file
   * times a stream's rate. Locally ~0.2 ms at ~300 MB/s; over a network link a stream is slower
   * and files pipeline, so an entry weighs less against its bytes.
   */
  entryCost?: number;
  /**
   * Name whole subtrees instead of their entries (see treeHooks). Only when rsync recurses
   * into a listed directory (-r) and entries need not travel in groups (no -H).
   */
  wholeDirs?: boolean;
}

/** A bucket's cost for planning: its bytes plus this much per entry (rsync's per-file work). */
export const ENTRY_COST = 64 * 1024;
/** The same over a network link (ssh). */
export const REMOTE_ENTRY_COST = 16 * 1024;
const DEFAULT_MIN_LIVE = 1000;
const DEFAULT_MIN_LIVE_BYTES = 64 * 1024 * 1024;
const DEFAULT_LIVE_FLUSH_MS = 300;
/** The pool holds this many entries at most (~30 bytes each): the planning window of a big tree. */
const POOL_WINDOW = 50_000;

/** Writes a list durably (fsync): the journal may name it right after. */
export function writeListFile(file: string, data: Buffer): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function bucketName(id: number): string {
  return `bucket-${String(id).padStart(6, '0')}`;
}

export class Bucketer {
  /** Next bucket id (a resumed run continues after the journal's last one). */
  nextId = 1;
  /** Entries added so far, and what they cost (bytes plus entryCost each). */
  added = 0;
  private addedCost = 0;
  /** The entries waiting for a bucket: list names, sizes, group starts (entry-pool.ts). */
  private pool = new EntryPool();
  private source = -1;
  private pumping = false;
  private hungry = false;
  private readonly minLive: number;
  private readonly minLiveBytes: number;
  /** The pool's size (entries) before its older half is cut (the caps bound buckets, not the pool). */
  private readonly window: number;
  /** What an entry costs beyond its bytes (cfg.entryCost). */
  private readonly entryCost: number;
  /** The caps and entry cost every cut is sized by (bucket-sizing.ts). */
  private readonly caps: SizingCaps;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pool got its oldest entry (for live flushing). */
  openedAt = 0;
  /** Subtrees that can be named whole (wholeDirs). */
  private whole = new WholeDirs(() => this.added);

  constructor(private cfg: BucketerConfig) {
    this.minLive = cfg.minLive ?? DEFAULT_MIN_LIVE;
    this.minLiveBytes = cfg.minLiveBytes ?? DEFAULT_MIN_LIVE_BYTES;
    this.window = cfg.window ?? Math.max(POOL_WINDOW, 2 * Math.min(cfg.maxFiles, POOL_WINDOW));
    this.entryCost = cfg.entryCost ?? ENTRY_COST;
    this.caps = { maxFiles: cfg.maxFiles, maxBytes: cfg.maxBytes, entryCost: this.entryCost };
  }

  get pendingFiles(): number {
    return this.pool.length;
  }

  get bucketCount(): number {
    return this.nextId - 1;
  }

  /** Crawler hooks that tell the bucketer where subtrees start and end (none without wholeDirs). */
  treeHooks(): Pick<CrawlHooks, 'enterDir' | 'leaveDir' | 'pruned'> {
    return this.cfg.wholeDirs ? this.whole.hooks() : {};
  }

  add(source: number, e: Entry): void {
    if (this.pendingFiles && source !== this.source) {
      this.addGroup(source, [e]);
      return;
    }
    if (!this.pendingFiles) {
      this.source = source;
      this.openedAt = Date.now();
    }
    this.pool.push(e.rel ?? e.path, e.size, true);
    this.added++;
    this.addedCost += e.size + this.entryCost;
    if (this.pendingFiles >= this.window) this.cutWindow();
    else if (this.hungry && this.pendingFiles >= this.minLive) this.pump();
  }

  /** Adds entries that must travel together (e.g. the names of one hardlinked inode). */
  addGroup(source: number, group: Entry[]): void {
    if (!group.length) return;
    if (this.pendingFiles && source !== this.source) this.flush();
    if (!this.pendingFiles) {
      this.source = source;
      this.openedAt = Date.now();
    }
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
        const waited = Date.now() - this.openedAt;
        const flushMs = this.cfg.liveFlushMs ?? DEFAULT_LIVE_FLUSH_MS;
        if (this.pendingFiles < this.minLive && waited < flushMs) {
          if (!this.timer) {
            this.timer = setTimeout(() => {
              this.timer = null;
              this.pump();
            }, flushMs - waited);
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

  /** Cuts the first `upTo` entries of the pool (whole groups) into one bucket. */
  private cutHead(upTo: number): void {
    this.emit({ from: 0, to: upTo, bytes: this.pool.sizeOf(0, upTo) }, this.added - this.pendingFiles + upTo);
    this.reset(upTo);
  }

  private reset(upTo: number): void {
    this.whole.cut(this.added - this.pendingFiles + upTo);
    const all = upTo >= this.pendingFiles;
    this.pool.drop(upTo);
    if (!all) this.openedAt = Date.now();
    if (!this.pendingFiles && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private emit(p: Piece, settled: number): void {
    const id = this.nextId++;
    const name = bucketName(id);
    const listFile = join(this.cfg.dir, `${name}.list`);
    writeListFile(listFile, this.whole.lines(this.pool, this.added - this.pendingFiles, p.from, p.to));
    const bucket: Bucket = {
      id,
      source: this.source,
      listFile,
      logFile: join(this.cfg.dir, `${name}.log`),
      files: p.to - p.from,
      bytes: p.bytes,
      attempts: 0,
    };
    this.cfg.onBucket(bucket, settled);
  }
}
