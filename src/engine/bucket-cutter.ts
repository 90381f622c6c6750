// The bucketer's pool and the buckets cut from its head. Entries wait in the pool (FIFO, crawl
// order; entry-pool.ts); a run of them from its head becomes a bucket: its list is written and
// the bucket handed on with how many of the entries added so far are now in buckets. When a
// bucket is cut and how big it is, is the bucketer's (bucketer.ts).
// Lists are NUL-separated files on disk (bucket-files.ts). With wholeDirs, a directory whose whole
// subtree lies in one bucket is listed by its name alone (rsync recurses into it): rsync reads a
// --files-from list one byte per read(2) and opens every path component of every name again (3.4+),
// which made a no-op over listed files three times slower than its own recursion.
import { join } from 'node:path';
import type { CrawlHooks } from './crawler.ts';
import { bucketName, writeListFile } from './bucket-files.ts';
import { ENTRY_COST, type BucketerConfig } from './bucketer-config.ts';
import type { Piece, SizingCaps } from './bucket-sizing.ts';
import { EntryPool } from './entry-pool.ts';
import type { Bucket } from './types.ts';
import { WholeDirs } from './whole-dirs.ts';

export class BucketCutter {
  /** Next bucket id (a resumed run continues after the journal's last one). */
  nextId = 1;
  /** Entries added so far, and what they cost (bytes plus entryCost each). */
  added = 0;
  protected addedCost = 0;
  /** The entries waiting for a bucket: list names, sizes, group starts (entry-pool.ts). */
  protected pool = new EntryPool();
  protected source = -1;
  /** What an entry costs beyond its bytes (cfg.entryCost). */
  protected readonly entryCost: number;
  /** The caps and entry cost every cut is sized by (bucket-sizing.ts). */
  protected readonly caps: SizingCaps;
  /** When the pool got its oldest entry (for live flushing). */
  openedAt = 0;
  /** Subtrees that can be named whole (wholeDirs). */
  private whole = new WholeDirs(() => this.added);

  constructor(protected cfg: BucketerConfig) {
    this.entryCost = cfg.entryCost ?? ENTRY_COST;
    // (minPieceEntries is read at each cut: a run's floor may change once its far end's daemon answers)
    this.caps = {
      maxFiles: cfg.maxFiles,
      maxBytes: cfg.maxBytes,
      entryCost: this.entryCost,
      get minPieceEntries() {
        return cfg.minPieceEntries;
      },
    };
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

  /** Cuts the first `upTo` entries of the pool (whole groups) into one bucket. */
  protected cutHead(upTo: number): void {
    this.emit({ from: 0, to: upTo, bytes: this.pool.sizeOf(0, upTo) }, this.added - this.pendingFiles + upTo);
    this.reset(upTo);
  }

  /** Drops the first `upTo` entries (now in buckets) from the pool. */
  protected reset(upTo: number): void {
    this.whole.cut(this.added - this.pendingFiles + upTo);
    const all = upTo >= this.pendingFiles;
    this.pool.drop(upTo);
    if (!all) this.openedAt = Date.now();
  }

  protected emit(p: Piece, settled: number): void {
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
