// `multisync plan`, the pure parts: largest-first packing of items into N balanced manifests.
// The crawl's compact store is plan-store.ts, the manifest line formats manifest-format.ts; no
// I/O in any of them: src/commands/plan.ts crawls and writes.

export interface PackResult {
  /** Manifest of every item. */
  assignment: Uint32Array;
  /** Item indexes of each manifest, ascending. */
  bins: Uint32Array[];
  /** Sum of the item weights of each manifest. */
  totals: number[];
  /** Sum of the item entry counts of each manifest. */
  counts: number[];
}

/** Binary min-heap of bin indexes under a comparator (ties broken by the comparator). */
class BinHeap {
  private h: Uint32Array;
  private n = 0;
  constructor(
    size: number,
    private readonly less: (a: number, b: number) => boolean,
  ) {
    this.h = new Uint32Array(size);
  }
  push(bin: number): void {
    const h = this.h;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(bin, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = bin;
  }
  top(): number {
    return this.h[0];
  }
  /** Restores the heap after the top's key grew. */
  siftTop(): void {
    // no destructuring swaps: they allocate, a few million times per plan
    const h = this.h;
    const bin = h[0];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = l;
      if (l >= this.n) break;
      if (r < this.n && this.less(h[r], h[l])) m = r;
      if (!this.less(h[m], bin)) break;
      h[i] = h[m];
      i = m;
    }
    h[i] = bin;
  }
}

/**
 * Largest-first (LPT) packing: items sorted by weight, heaviest first (ties: lower index first),
 * each placed on the manifest with the smallest total so far (ties: fewer entries, then lower
 * index). Weightless items (empty files, links, empty directories when balancing bytes) cannot
 * change a byte total, so they go to the manifest with the fewest entries instead.
 * Deterministic; O(items · log bins) after the sort, so a million items take well under a second.
 * `entries[i]` is how many entries item i stands for (1 unless it is a hardlink group).
 */
export function packLargestFirst(weights: ArrayLike<number>, bins: number, entries?: ArrayLike<number>): PackResult {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`packLargestFirst: bins must be a positive integer, got ${bins}`);
  const n = weights.length;
  const order = heaviestFirst(weights);

  const totals = new Float64Array(bins);
  const counts = new Float64Array(bins);
  const assignment = new Uint32Array(n);
  const sizes = new Uint32Array(bins);
  const byTotal = (a: number, b: number) => totals[a] < totals[b] || (totals[a] === totals[b] && (counts[a] < counts[b] || (counts[a] === counts[b] && a < b)));
  const byCount = (a: number, b: number) => counts[a] < counts[b] || (counts[a] === counts[b] && (totals[a] < totals[b] || (totals[a] === totals[b] && a < b)));
  let heap = new BinHeap(bins, byTotal);
  for (let b = 0; b < bins; b++) heap.push(b);
  let weightless = false;
  for (let k = 0; k < n; k++) {
    const item = order[k];
    const w = weights[item];
    if (w <= 0 && !weightless) {
      // everything from here on weighs nothing: balance the entry counts instead
      weightless = true;
      heap = new BinHeap(bins, byCount);
      for (let b = 0; b < bins; b++) heap.push(b);
    }
    const bin = heap.top();
    assignment[item] = bin;
    totals[bin] += w > 0 ? w : 0;
    counts[bin] += entries ? entries[item] : 1;
    sizes[bin]++;
    heap.siftTop();
  }
  const binItems = Array.from(sizes, (s) => new Uint32Array(s));
  const fill = new Uint32Array(bins);
  for (let i = 0; i < n; i++) {
    const b = assignment[i];
    binItems[b][fill[b]++] = i;
  }
  return { assignment, bins: binItems, totals: Array.from(totals), counts: Array.from(counts) };
}

/**
 * Item indexes by weight, heaviest first, ties in index order. Whole-number weights (bytes,
 * entry counts) take a stable LSD radix sort, one pass per byte of the largest weight: O(n) and
 * two index arrays, where a comparator sort of a million items allocates ~100 MB on the way.
 */
export function heaviestFirst(weights: ArrayLike<number>): Uint32Array {
  const n = weights.length;
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!Number.isSafeInteger(w) || w < 0) return order.sort((a, b) => weights[b] - weights[a] || a - b);
    if (w > max) max = w;
  }
  let next = new Uint32Array(n);
  const count = new Uint32Array(256);
  const digit = (w: number, shift: number) => (shift < 32 ? (w % 0x100000000) >>> shift : Math.floor(w / 0x100000000) >>> (shift - 32)) & 255;
  for (let shift = 0; shift < 56 && 2 ** shift <= max; shift += 8) {
    count.fill(0);
    for (let k = 0; k < n; k++) count[digit(weights[order[k]], shift)]++;
    // descending digits; stable, so earlier passes (lower bytes) and the index order survive ties
    let pos = 0;
    for (let d = 255; d >= 0; d--) {
      const c = count[d];
      count[d] = pos;
      pos += c;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k];
      next[count[digit(weights[i], shift)]++] = i;
    }
    const t = order;
    order = next;
    next = t;
  }
  return order;
}

/** How far the fullest or emptiest manifest is from an even share, as a fraction of that share. */
export function imbalance(totals: readonly number[]): number {
  if (!totals.length) return 0;
  const sum = totals.reduce((s, t) => s + t, 0);
  if (sum <= 0) return 0;
  const mean = sum / totals.length;
  let worst = 0;
  for (const t of totals) worst = Math.max(worst, Math.abs(t - mean) / mean);
  return worst;
}
