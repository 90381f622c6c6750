// The bucketer's pool: entries waiting for a bucket, in crawl order. Their list names are packed
// NUL-terminated, one after the other, in a byte arena (so a run of entries is already a piece
// of a --from0 list), and their sizes and group starts sit in typed arrays: ~30 bytes an entry
// where a JS string, a number and a boolean each cost several times that (a 50k-entry pool of
// a big tree's names was ~20 MB of a 1M-entry run's memory). Entries leave from the head; the
// arrays are compacted in place once most of them has left.
import { listName, listPath } from './rsync-args.ts';

const NUL = Buffer.from([0]);
const FIRST_ENTRIES = 1024;
const FIRST_BYTES = 64 * 1024;

export class EntryPool {
  private data = Buffer.allocUnsafe(FIRST_BYTES);
  /** Bytes of data in use (from the first slot, cut entries included until compaction). */
  private used = 0;
  /** Slot k's name ends at ends[k] (after its NUL); slot 0 starts at 0. */
  private ends = new Uint32Array(FIRST_ENTRIES);
  private sizes = new Float64Array(FIRST_ENTRIES);
  /** 1: a bucket may start at this entry (it does not continue a group). */
  private starts = new Uint8Array(FIRST_ENTRIES);
  /** Slots [head, tail) are the pool. */
  private head = 0;
  private tail = 0;
  /** Sum of the pool's sizes. */
  bytes = 0;

  get length(): number {
    return this.tail - this.head;
  }

  size(i: number): number {
    return this.sizes[this.head + i];
  }

  startOk(i: number): boolean {
    return this.starts[this.head + i] === 1;
  }

  /** The end of the group that starts at `i` (the names of one hardlinked inode travel together). */
  groupEnd(i: number): number {
    const n = this.length;
    let j = i + 1;
    while (j < n && !this.startOk(j)) j++;
    return j;
  }

  /** Sum of the sizes of entries [from, to). */
  sizeOf(from: number, to: number): number {
    let size = 0;
    for (let i = from; i < to; i++) size += this.sizes[this.head + i];
    return size;
  }

  /**
   * Adds an entry: `name` is its path relative to the source, as the crawler's latin1 string
   * (one char per byte) or as raw bytes; it is stored as a list name (listPath).
   */
  push(name: string | Buffer, size: number, startOk: boolean): void {
    const ln = typeof name === 'string' ? listName(name) : listPath(name);
    this.room(ln.length + 1);
    const k = this.tail++;
    if (typeof ln === 'string') this.used += this.data.write(ln, this.used, 'latin1');
    else this.used += ln.copy(this.data, this.used);
    this.data[this.used++] = 0;
    this.ends[k] = this.used;
    this.sizes[k] = size;
    this.starts[k] = startOk ? 1 : 0;
    this.bytes += size;
  }

  /**
   * The list names of entries [from, to), each followed by a NUL, except that an entry at which
   * `named(i)` returns a directory's list name and the end of its subtree (exclusive) is listed
   * by that name instead of its entries. The result may share memory with the pool: use it
   * before the pool changes.
   */
  lines(from: number, to: number, named?: (i: number) => { name: Buffer; end: number } | undefined): Buffer {
    const parts: Buffer[] = [];
    let run = from;
    for (let i = from; i < to; ) {
      const d = named?.(i);
      if (!d) {
        i++;
        continue;
      }
      if (i > run) parts.push(this.bytesOf(run, i));
      parts.push(d.name, NUL);
      i = run = Math.max(d.end, i + 1);
    }
    if (to > run) parts.push(this.bytesOf(run, to));
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Removes the first `n` entries. */
  drop(n: number): void {
    if (n >= this.length) {
      this.clear();
      return;
    }
    for (let i = 0; i < n; i++) this.bytes -= this.sizes[this.head + i];
    this.head += n;
    // once most of the slots are cut, move the rest to the front
    if (this.head > this.length) this.compact();
  }

  clear(): void {
    this.head = this.tail = this.used = 0;
    this.bytes = 0;
    // a pool of long names grew the arena: give it back once it is empty
    if (this.data.length > 16 * FIRST_BYTES) this.data = Buffer.allocUnsafe(FIRST_BYTES);
  }

  /** The names of slots [head + from, head + to), as they are stored. */
  private bytesOf(from: number, to: number): Buffer {
    const a = this.head + from;
    return this.data.subarray(a === 0 ? 0 : this.ends[a - 1], this.ends[this.head + to - 1]);
  }

  /** Makes room for one more entry of `bytes` bytes. */
  private room(bytes: number): void {
    if (this.tail === this.ends.length || this.used + bytes > this.data.length) this.compact();
    if (this.tail === this.ends.length) {
      const n = this.ends.length * 2;
      this.ends = grow(this.ends, new Uint32Array(n));
      this.sizes = grow(this.sizes, new Float64Array(n));
      this.starts = grow(this.starts, new Uint8Array(n));
    }
    if (this.used + bytes > this.data.length) {
      const data = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.used + bytes));
      this.data.copy(data, 0, 0, this.used);
      this.data = data;
    }
  }

  /** Drops the cut slots [0, head) (in place). */
  private compact(): void {
    const h = this.head;
    if (!h) return;
    const base = this.ends[h - 1];
    this.data.copyWithin(0, base, this.used);
    this.used -= base;
    const n = this.tail - h;
    for (let k = 0; k < n; k++) this.ends[k] = this.ends[h + k] - base;
    this.sizes.copyWithin(0, h, this.tail);
    this.starts.copyWithin(0, h, this.tail);
    this.head = 0;
    this.tail = n;
  }
}

function grow<T extends Uint32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
