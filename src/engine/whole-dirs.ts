// Subtrees a bucket can name whole: a directory whose every entry below it was added, none left
// out, and all of them in the same bucket, goes to rsync as its name alone (rsync recurses into
// it). Positions are absolute entry counts (the bucketer's `added`), so they survive the pool
// being cut from its head.
import type { CrawlHooks } from './crawler.ts';
import type { EntryPool } from './entry-pool.ts';
import { listPath } from './rsync-args.ts';

/** A directory whose subtree is entries [start, end) (absolute positions), none left out. */
interface Span {
  rel: Buffer;
  start: number;
  end: number;
}

const DOT = Buffer.from('.');

export class WholeDirs {
  /** Directories entered and not yet left (the crawler's current path). */
  private open: Array<{ rel: Buffer; start: number; whole: boolean }> = [];
  private spans: Span[] = [];

  /** `added`: how many entries the bucketer has taken so far. */
  constructor(private added: () => number) {}

  /** The crawler's hooks: where subtrees start and end, and when something below was left out. */
  hooks(): Pick<CrawlHooks, 'enterDir' | 'leaveDir' | 'pruned'> {
    return {
      enterDir: (rel) => {
        this.open.push({ rel, start: this.added(), whole: true });
      },
      leaveDir: () => {
        const d = this.open.pop();
        const end = this.added();
        // the base of a `src/` copy is never named: rsync would take its metadata and recurse all;
        // nor a subtree of one entry (no gain, and a failure would name the directory, not the entry)
        if (d && d.whole && end > d.start + 1 && !d.rel.equals(DOT)) this.spans.push({ rel: d.rel, start: d.start, end });
      },
      pruned: () => {
        for (const d of this.open) d.whole = false;
      },
    };
  }

  /** The list of pool entries [from, to) (`base`: the pool's first absolute position): whole subtrees by their directory's name, the rest by name. */
  lines(pool: EntryPool, base: number, from: number, to: number): Buffer {
    // the outermost subtrees inside the range
    const inside = this.spans.filter((x) => x.start >= base + from && x.end <= base + to).sort((a, b) => a.start - b.start || b.end - a.end);
    if (!inside.length) return pool.lines(from, to);
    let k = 0;
    return pool.lines(from, to, (i) => {
      while (k < inside.length && inside[k].start < base + i) k++;
      return k < inside.length && inside[k].start === base + i ? { name: listPath(inside[k].rel), end: inside[k].end - base } : undefined;
    });
  }

  /** Entries before absolute position `cut` went into buckets: subtrees that began there can no longer be named whole. */
  cut(cut: number): void {
    if (this.spans.length) this.spans = this.spans.filter((x) => x.start >= cut);
    for (const d of this.open) if (d.start < cut) d.whole = false;
  }
}
