// How big the bucketer's buckets are: what an entry costs (its bytes plus rsync's per-file work),
// a head of the pool cut at a cost, and the plan for what is left when a crawl ends — pieces
// shrinking from 1/slots of the rest down to a floor (guided self-scheduling: few buckets, and
// small ones at the end so that no straggler holds the end). Pure: the pool is only read.
import type { EntryPool } from './entry-pool.ts';

/** A run of pool entries [from, to) and their bytes. */
export interface Piece {
  from: number;
  to: number;
  bytes: number;
}

export interface SizingCaps {
  /** Entries per bucket at most (-f). */
  maxFiles: number;
  /** Bytes per bucket at most (-s): a single larger file or link group still gets a bucket. */
  maxBytes: number;
  /** What one entry costs beyond its bytes, in bytes (bucketer.ts ENTRY_COST). */
  entryCost: number;
  /** No planned piece costs less than this many entries, unless it is all that is left (default MIN_PIECE_ENTRIES). */
  minPieceEntries?: number;
}

/** The planned pieces shrink down to 1/(FLOOR × slots) of what was left at the end of the crawl. */
const FLOOR = 3;
/**
 * …but not below what this many entries cost (an rsync's start and end cost about that), even
 * when that leaves slots without a piece: a tree that costs less is one rsync's work, and more
 * rsyncs only add their starts (over ssh each is a session, and a slot's first one a
 * connection: 21 small files to a loopback sshd, -p 4, took 1.5 s in 5 buckets against one
 * rsync's 0.47 s).
 */
export const MIN_PIECE_ENTRIES = 1000;

/** Pieces for the whole pool: each at most 1/slots of what is left, shrinking to a floor, within the caps. */
export function planPieces(pool: EntryPool, caps: SizingCaps, slotCount: number): Piece[] {
  const n = pool.length;
  const slots = Math.max(1, slotCount);
  let rest = pool.bytes + n * caps.entryCost;
  const floor = Math.max(rest / (FLOOR * slots), Math.min((caps.minPieceEntries ?? MIN_PIECE_ENTRIES) * caps.entryCost, rest));
  const pieces: Piece[] = [];
  let i = 0;
  while (i < n) {
    const target = slots === 1 ? Infinity : Math.max(rest / slots, floor);
    const p: Piece = { from: i, to: i, bytes: 0 };
    let cost = 0;
    while (i < n) {
      const j = pool.groupEnd(i);
      const size = pool.sizeOf(i, j);
      const groupCost = size + (j - i) * caps.entryCost;
      const files = p.to - p.from;
      if (files && (cost + groupCost > target || files + (j - i) > caps.maxFiles || p.bytes + size > caps.maxBytes)) break;
      p.to = j;
      p.bytes += size;
      cost += groupCost;
      i = j;
    }
    rest -= cost;
    pieces.push(p);
  }
  return pieces;
}

/** How many head entries cost at least `target`, within the caps (whole groups, at least one). */
export function headByCost(pool: EntryPool, caps: SizingCaps, target: number): number {
  const n = pool.length;
  let cost = 0;
  let bytes = 0;
  let i = 0;
  while (i < n && cost < target) {
    const j = pool.groupEnd(i);
    const size = pool.sizeOf(i, j);
    if (i > 0 && (j > caps.maxFiles || bytes + size > caps.maxBytes)) break;
    cost += size + (j - i) * caps.entryCost;
    bytes += size;
    i = j;
  }
  return i;
}

/** A piece's planning cost: its bytes plus entryCost per entry. */
export const pieceCost = (p: Piece, entryCost: number): number => p.bytes + (p.to - p.from) * entryCost;
