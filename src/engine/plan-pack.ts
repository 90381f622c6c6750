// `multisync plan`: the pure parts. A compact store for a whole crawl (millions of entries
// without millions of JS objects), largest-first packing of items into N balanced manifests,
// and the manifest line formats. No I/O here: src/commands/plan.ts crawls and writes.
import type { Entry } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Packing

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

// ---------------------------------------------------------------------------------------------
// Compact store of a whole crawl

const CHUNK = 8 * 1024 * 1024;

function grown<T extends Float64Array | Uint32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2, 1024));
  next.set(a);
  return next;
}

/**
 * Every entry of a crawl: path bytes in 8 MiB arena chunks, everything else in typed arrays
 * (about 30 bytes per entry plus the path). The names of one multiply-linked inode form one
 * item (its bytes counted once); every other entry is an item of its own.
 */
export class PlanStore {
  private chunks: Buffer[] = [];
  private used = CHUNK;
  private chunkOf = new Uint32Array(0);
  private offset = new Uint32Array(0);
  private length = new Uint32Array(0);
  private itemOf = new Uint32Array(0);
  private itemBytes = new Float64Array(0);
  private itemEntries = new Uint32Array(0);
  private links = new Map<string, number>();
  /** Entries stored. */
  count = 0;
  /** Items (hardlink groups count once). */
  items = 0;
  /** Bytes, hardlinked data counted once. */
  bytes = 0;

  add(e: Entry): void {
    const i = this.count++;
    const p = e.path;
    if (this.used + p.length > (this.chunks.at(-1)?.length ?? 0)) {
      this.chunks.push(Buffer.allocUnsafe(Math.max(CHUNK, p.length)));
      this.used = 0;
    }
    const chunk = this.chunks.length - 1;
    p.copy(this.chunks[chunk], this.used);
    this.chunkOf = grown(this.chunkOf, i + 1);
    this.offset = grown(this.offset, i + 1);
    this.length = grown(this.length, i + 1);
    this.itemOf = grown(this.itemOf, i + 1);
    this.chunkOf[i] = chunk;
    this.offset[i] = this.used;
    this.length[i] = p.length;
    this.used += p.length;

    const key = e.nlink > 1 && e.kind !== 'dir' ? `${e.dev}:${e.ino}` : null;
    const known = key === null ? undefined : this.links.get(key);
    if (known !== undefined) {
      // another name of a file already stored: same item, no extra bytes
      this.itemOf[i] = known;
      this.itemEntries[known]++;
      return;
    }
    const item = this.items++;
    this.itemBytes = grown(this.itemBytes, item + 1);
    this.itemEntries = grown(this.itemEntries, item + 1);
    this.itemOf[i] = item;
    this.itemBytes[item] = e.size;
    this.itemEntries[item] = 1;
    this.bytes += e.size;
    if (key !== null) this.links.set(key, item);
  }

  /** Path of entry i (a view into the arena: copy it to keep it). */
  path(i: number): Buffer {
    const o = this.offset[i];
    return this.chunks[this.chunkOf[i]].subarray(o, o + this.length[i]);
  }

  /** Length of entry i's path. */
  pathLength(i: number): number {
    return this.length[i];
  }

  /** Writes entry i's manifest line into out at pos (see writeLine); returns where it ends. */
  writeLine(i: number, format: ManifestFormat, out: Buffer, pos: number): number {
    const o = this.offset[i];
    return writeLine(this.chunks[this.chunkOf[i]], o, o + this.length[i], format, out, pos);
  }

  itemOfEntry(i: number): number {
    return this.itemOf[i];
  }

  /** Per-item weights: bytes, or entries (`count`). */
  weights(by: 'size' | 'count'): Float64Array {
    const w = new Float64Array(this.items);
    if (by === 'size') w.set(this.itemBytes.subarray(0, this.items));
    else for (let i = 0; i < this.items; i++) w[i] = this.itemEntries[i];
    return w;
  }

  /** Entries per item. */
  entries(): Uint32Array {
    return this.itemEntries.subarray(0, this.items);
  }

  /** Bytes of item i. */
  itemSize(i: number): number {
    return this.itemBytes[i];
  }

  /** Bytes held (arena chunks plus typed arrays), for the memory budget. */
  memoryBytes(): number {
    const arrays = [this.chunkOf, this.offset, this.length, this.itemOf, this.itemBytes, this.itemEntries];
    return this.chunks.reduce((s, c) => s + c.length, 0) + arrays.reduce((s, a) => s + a.byteLength, 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Manifest formats

/** newline: for `rsync --files-from`; nul: for `rsync --from0 --files-from`; robocopy: Windows. */
export type ManifestFormat = 'newline' | 'nul' | 'robocopy';

/** Why `path` cannot be written in `format`, or null when it can. */
export function unrepresentable(path: Buffer, format: ManifestFormat): string | null {
  if (format === 'nul') return null;
  // rsync ends a --files-from line at '\n' and at '\r' too
  if (path.includes(0x0a)) return 'contains a newline';
  if (path.includes(0x0d)) return 'contains a carriage return';
  if (format === 'robocopy' && path.includes(0x5c)) return 'contains a backslash';
  return null;
}

/** Bytes a line may add to its path ('./' in front, CRLF after). */
export const LINE_OVERHEAD = 4;

/**
 * Writes the manifest line of src[start, end) into out at pos and returns where it ends (out
 * needs end - start + LINE_OVERHEAD bytes of room). rsync formats protect a leading '#' or ';' as
 * './#x', the rule of listPath(); robocopy lines get backslashes and CRLF instead. No allocation:
 * a plan writes millions of lines.
 */
export function writeLine(src: Uint8Array, start: number, end: number, format: ManifestFormat, out: Buffer, pos: number): number {
  const c = src[start];
  if (format !== 'robocopy' && (c === 0x23 || c === 0x3b)) {
    out[pos++] = 0x2e;
    out[pos++] = 0x2f;
  }
  out.set(src.subarray(start, end), pos);
  const stop = pos + (end - start);
  if (format === 'robocopy') {
    for (let k = pos; k < stop; k++) if (out[k] === 0x2f) out[k] = 0x5c;
    out[stop] = 0x0d;
    out[stop + 1] = 0x0a;
    return stop + 2;
  }
  out[stop] = format === 'nul' ? 0 : 0x0a;
  return stop + 1;
}

/** One manifest line as a new Buffer. */
export function manifestLine(path: Buffer, format: ManifestFormat): Buffer {
  const out = Buffer.allocUnsafe(path.length + LINE_OVERHEAD);
  return out.subarray(0, writeLine(path, 0, path.length, format, out, 0));
}

/** manifest-001.txt …; `.from0` for NUL-separated lists (give rsync --from0). */
export function manifestName(index: number, count: number, format: ManifestFormat): string {
  const width = Math.max(3, String(count).length);
  return `manifest-${String(index + 1).padStart(width, '0')}.${format === 'nul' ? 'from0' : 'txt'}`;
}
