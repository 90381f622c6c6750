// What the bucketer (bucketer.ts) is told: where its lists go, the caps of a bucket, whom it
// hands buckets to, and the knobs of when it cuts them, with their defaults.
import type { Bucket } from './types.ts';

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
  /** …but not before the crawl has run this long (ms): a crawl that ends sooner is planned whole. */
  liveGraceMs?: number;
  /** Entries the pool holds before its older half is cut (default POOL_WINDOW, at least 2 × maxFiles). */
  window?: number;
  /**
   * What one entry costs beyond its bytes, in bytes (default ENTRY_COST): rsync's time per file
   * times a stream's rate. Locally ~0.2 ms at ~300 MB/s; over a network link a stream is slower
   * and files pipeline, so an entry weighs less against its bytes.
   */
  entryCost?: number;
  /** No planned bucket costs less than this many entries unless it is all that is left (bucket-sizing.ts, default MIN_PIECE_ENTRIES). */
  minPieceEntries?: number;
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
export const DEFAULT_MIN_LIVE = 1000;
export const DEFAULT_MIN_LIVE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_LIVE_FLUSH_MS = 300;
/**
 * Every bucket is an rsync's start (over ssh a session, and a slot's first one a connection):
 * a small tree crawled in a few ms used to give a live bucket of 500 entries and its rest
 * (2090 files to a loopback sshd, -p 1: two buckets). A crawl this short is planned whole; a
 * longer one starts its rsyncs this much later, against its whole crawl.
 */
export const DEFAULT_LIVE_GRACE_MS = 100;
/** The pool holds this many entries at most (~30 bytes each): the planning window of a big tree. */
export const POOL_WINDOW = 50_000;
