import { describe, expect, test } from 'bun:test';
import { headByCost, planPieces, type SizingCaps } from '../../src/engine/bucket-sizing.ts';
import { EntryPool } from '../../src/engine/entry-pool.ts';

/** A pool of entries of these sizes; `groups`: false marks an entry that continues the group before it. */
function pool(sizes: number[], starts?: boolean[]): EntryPool {
  const p = new EntryPool();
  sizes.forEach((s, i) => p.push(`f${i}`, s, starts?.[i] ?? true));
  return p;
}

const caps = (c: Partial<SizingCaps> = {}): SizingCaps => ({ maxFiles: 1000, maxBytes: 1e12, entryCost: 0, ...c });
const T = true;
const F = false;
const ranges = (ps: Array<{ from: number; to: number }>) => ps.map((p) => `${p.from}-${p.to}`).join(' ');

describe('planPieces: what is left when a crawl ends', () => {
  test.each<[string, number[], boolean[] | undefined, Partial<SizingCaps>, number, string]>([
    // 80 bytes, 2 slots: half of the rest each time, down to the floor (80 / (3 × 2))
    ['shrinking to the floor', [10, 10, 10, 10, 10, 10, 10, 10], undefined, {}, 2, '0-4 4-6 6-7 7-8'],
    ['one slot: the caps alone', [10, 10, 10, 10, 10, 10, 10, 10], undefined, { maxFiles: 3 }, 1, '0-3 3-6 6-8'],
    ['the byte cap; a bigger file alone', [10, 10, 10, 30, 5], undefined, { maxBytes: 25 }, 1, '0-2 2-3 3-4 4-5'],
    ['a link group is never cut', [10, 10, 10, 10], [T, F, T, F], { maxFiles: 3 }, 1, '0-2 2-4'],
    ['a group bigger than the entry cap still goes, alone', [1, 1, 1, 1, 1], [T, F, F, T, T], { maxFiles: 2 }, 1, '0-3 3-5'],
    // empty files cost their entries: 4 × 10, 2 slots; the floor is 1000 entries' cost or the whole
    // rest, so a tree that costs less than an rsync's start is one piece, slots or not
    ['entries cost even when empty: one piece below the floor', [0, 0, 0, 0], undefined, { entryCost: 10 }, 2, '0-4'],
    ['below 1000 entries a piece, fewer pieces than slots', Array(2500).fill(0), undefined, { entryCost: 1, maxFiles: 1e6 }, 8, '0-1000 1000-2000 2000-2500'],
    // (session-cost.ts: sessions slow to start on a near ssh link raise that floor)
    ['a floor of 5000 entries: 1/slots of the rest while bigger, then 5000 each', Array(20000).fill(0), undefined, { entryCost: 1, maxFiles: 1e6, minPieceEntries: 5000 }, 4, '0-5000 5000-10000 10000-15000 15000-20000'],
    ['the same floor, 24000 entries: 6000, then 5000s and what is left', Array(24000).fill(0), undefined, { entryCost: 1, maxFiles: 1e6, minPieceEntries: 5000 }, 4, '0-6000 6000-11000 11000-16000 16000-21000 21000-24000'],
    ['a floor of 1000 entries is rest / (3 × slots) here: 1/slots of the rest each, shrinking to it', Array(24000).fill(0), undefined, { entryCost: 1, maxFiles: 1e6 }, 8,
      '0-3000 3000-5625 5625-7921 7921-9930 9930-11688 11688-13227 13227-14573 14573-15751 15751-16782 16782-17782 17782-18782 18782-19782 19782-20782 20782-21782 21782-22782 22782-23782 23782-24000'],
    ['nothing left', [], undefined, {}, 4, ''],
  ])('%s', (_what, sizes, starts, c, slots, expected) => {
    const p = pool(sizes, starts);
    const pieces = planPieces(p, caps(c), slots);
    expect(ranges(pieces)).toBe(expected);
    // every entry in exactly one piece, bytes summed
    for (const piece of pieces) expect(piece.bytes).toBe(sizes.slice(piece.from, piece.to).reduce((a, b) => a + b, 0));
  });

  test('the pool is only read', () => {
    const p = pool([10, 20, 30]);
    planPieces(p, caps(), 2);
    expect(p.length).toBe(3);
    expect(p.bytes).toBe(60);
  });
});

describe('headByCost: a head of the pool cut at a cost', () => {
  test.each<[string, number[], boolean[] | undefined, Partial<SizingCaps>, number, number]>([
    ['until the cost is reached', [10, 10, 10, 10, 10, 10, 10, 10], undefined, {}, 25, 3],
    ['exactly reached', [10, 10, 10, 10], undefined, {}, 20, 2],
    ['the entry cap first', [10, 10, 10, 10], undefined, { maxFiles: 2 }, 100, 2],
    ['the byte cap first', [10, 10, 10], undefined, { maxBytes: 15 }, 100, 1],
    ['one entry over the byte cap still goes', [30, 5], undefined, { maxBytes: 15 }, 100, 1],
    ['whole groups', [10, 10, 10, 10], [T, F, T, F], {}, 5, 2],
    ['entry cost counts', [0, 0, 0, 0, 0], undefined, { entryCost: 10 }, 30, 3],
    ['the whole pool when the target is beyond it', [1, 2, 3], undefined, {}, 1e9, 3],
  ])('%s', (_what, sizes, starts, c, target, expected) => {
    expect(headByCost(pool(sizes, starts), caps(c), target)).toBe(expected);
  });
});
