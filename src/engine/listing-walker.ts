// Turns the records of a remote source's find listing (find-records.ts) into the same entries
// the local crawler yields: every non-directory and every directory left empty (after the filter
// rules), every directory reported to onDir for the metadata pass, and where subtrees start and
// end (enterDir, leaveDir, pruned) so that a bucket can name a whole one: the remote sender then
// recurses into it, at about half its cost per file of a --files-from name.
import type { Stats } from 'node:fs';
import type { CrawlHooks } from './crawler.ts';
import { DOT, errnoError, SLASH, type FindRecord } from './find-records.ts';
import type { Entry, EntryKind } from './types.ts';

const NO_STAT = undefined as unknown as Stats;

/** `path` is below the directory `dir` (compared in place: a record per entry comes through here). */
const under = (path: Buffer, dir: Buffer): boolean => path.length > dir.length && path[dir.length] === 0x2f && path.compare(dir, 0, dir.length, 0, dir.length) === 0;

/**
 * Turns find records (pre-order: a directory before its contents) into crawler entries, applying
 * the filter hook; a directory with no kept child is an entry itself (except the base of `src/`).
 */
export class ListingWalker {
  private stack: Array<{ rel: Buffer; listed: boolean }> = [];
  private skip: Buffer | null = null;
  private top: Buffer;

  constructor(
    private prefix: Buffer,
    private hooks: CrawlHooks,
  ) {
    this.top = prefix;
  }

  private full(rel: Buffer): Buffer {
    if (!this.prefix.length) return rel;
    return rel.length ? Buffer.concat([this.prefix, SLASH, rel]) : this.prefix;
  }

  /** Closes directories that are not ancestors of `path`; yields those left empty. */
  private *close(path: Buffer | null): Generator<Entry> {
    while (this.stack.length) {
      const d = this.stack[this.stack.length - 1];
      if (path && (d.rel.length === 0 || under(path, d.rel))) return;
      this.stack.pop();
      if (!d.listed && d.rel.length) yield { path: d.rel, kind: 'dir', size: 0, ino: 0, dev: 0, nlink: 1 };
      this.hooks.leaveDir?.(d.rel.length ? d.rel : DOT);
      this.hooks.onTreeDone?.(d.rel.length ? d.rel : DOT);
    }
  }

  *record(r: FindRecord): Generator<Entry> {
    const path = this.full(r.rel);
    if (this.skip && under(path, this.skip)) return;
    this.skip = null;
    yield* this.close(path);
    if (!r.kind) {
      this.hooks.onError?.(path.length ? path : DOT, errnoError('EIO', `unknown file type '${r.type}'`), false);
      this.hooks.pruned?.();
      return;
    }
    const isDir = r.kind === 'dir';
    const isTop = r.rel.length === 0;
    if (!isTop && this.hooks.filter && !this.hooks.filter(path, isDir, NO_STAT)) {
      if (isDir) this.skip = path;
      this.hooks.pruned?.();
      return;
    }
    if (this.stack.length) this.stack[this.stack.length - 1].listed = true;
    if (isDir && !isTop && this.hooks.skipTree?.(path)) {
      this.skip = path; // resume: an earlier run bucketed this whole subtree
      this.hooks.pruned?.();
      return;
    }
    if (isDir) {
      this.hooks.onDir?.(path.length ? path : DOT, NO_STAT);
      // (its subtree may go to rsync by the directory's name: whole-dirs.ts)
      this.hooks.enterDir?.(path.length ? path : DOT);
      this.stack.push({ rel: path, listed: false });
    } else {
      yield { path, kind: r.kind as EntryKind, size: r.kind === 'file' ? r.size : 0, ino: r.ino, dev: r.dev, nlink: r.nlink };
    }
  }

  *end(): Generator<Entry> {
    yield* this.close(null);
  }
}
