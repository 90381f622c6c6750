// The supervisor's buckets that are not running: the queue (a bucket that comes back, from a
// retry, a split or a lost worker host, goes first), the retries waiting out their backoff, and
// the buckets that failed for good (until retryFailed puts them back). What runs is slots.ts's.
import type { Bucket } from './types.ts';

export class BucketQueue {
  private items: Bucket[] = [];
  private timers = new Map<ReturnType<typeof setTimeout>, Bucket>();
  private failedList: Bucket[] = [];

  /** Buckets queued (not those waiting for a retry). */
  get length(): number {
    return this.items.length;
  }

  /** Retries waiting out their backoff. */
  get retrying(): number {
    return this.timers.size;
  }

  /** Nothing queued and no retry waiting. */
  get empty(): boolean {
    return this.items.length === 0 && this.timers.size === 0;
  }

  /** The queued buckets, in the order they would run (the run's left-over buckets at its end). */
  get queued(): Bucket[] {
    return this.items;
  }

  /** The buckets that failed for good. */
  get failed(): Bucket[] {
    return this.failedList;
  }

  /** A new bucket: last in line. */
  add(b: Bucket): void {
    this.items.push(b);
  }

  /** Buckets that come back (a retry that is due, halves of a split, a lost host's): first in line. */
  putBack(...b: Bucket[]): void {
    this.items.unshift(...b);
  }

  /** The next bucket to run. */
  next(): Bucket | undefined {
    return this.items.shift();
  }

  /** Back in the queue (first in line) after `delayMs`; then `due` is called. */
  retryLater(b: Bucket, delayMs: number, due: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.items.unshift(b);
      due();
    }, delayMs);
    this.timers.set(t, b);
  }

  /** Pending retries go back to the queue now (the run is ending: they become left-over buckets). */
  dropTimers(): void {
    for (const [t, b] of this.timers) {
      clearTimeout(t);
      this.items.push(b);
    }
    this.timers.clear();
  }

  fail(b: Bucket): void {
    this.failedList.push(b);
  }

  /** The failed buckets go back to the queue with their attempts reset; how many. */
  requeueFailed(): number {
    const again = this.failedList;
    this.failedList = [];
    for (const b of again) {
      b.attempts = 0;
      this.items.push(b);
    }
    return again.length;
  }
}
