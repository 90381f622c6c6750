// `multisync plan`: a compact store for a whole crawl (millions of entries without millions of
// JS objects), the items that plan-pack.ts packs.
import { writeLine, type ManifestFormat } from './manifest-format.ts';
import type { Entry } from './types.ts';

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
