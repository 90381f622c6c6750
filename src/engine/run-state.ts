// A run's durable state: decides new run vs resume, journals buckets, outcomes and finished
// crawl subtrees, and on resume hands back what is left to do. Lives in the state directory.
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { bucketName } from './bucketer.ts';
import type { RunConfig } from './config.ts';
import { foldJournal, Journal, readJournal, type JournalRecord, type JournalState } from './journal.ts';
import { prepareState, type StatePaths } from './state.ts';
import type { Summary } from './summary.ts';
import type { Bucket, Outcome } from './types.ts';

export class RunState {
  readonly paths: StatePaths;
  readonly prior: JournalState | null;
  readonly journal: Journal;
  private pendingTrees: Array<{ source: number; path: string; seq: number }> = [];
  /** Entries handed to the bucketer so far (a finished subtree waits until they are all bucketed). */
  entrySeq: () => number = () => 0;
  /** Directory lists carried over from the run being retried (append to them). */
  readonly keptDirLists: boolean = false;

  constructor(cfg: RunConfig, dir: string, opts: { fresh: boolean; version: string }) {
    const first = foldJournal(readJournal(join(dir, 'journal.jsonl')));
    // a finished, clean run is not resumed: the same command again is a new (incremental) run
    const resumable = !opts.fresh && !cfg.retryFailed && first.runs > 0 && !(first.end && first.end.exitCode === 0);
    // --retry-failed starts a new run but keeps the directory lists: the failed run never got
    // to its directory-metadata pass, this one must cover the whole tree
    const keep = cfg.retryFailed ? carryDirLists(join(dir, 'run'), dir) : [];
    this.paths = prepareState(dir, cfg, !resumable);
    for (const name of keep) renameSync(join(dir, name), join(this.paths.runDir, name));
    this.keptDirLists = keep.length > 0;
    this.prior = resumable ? first : null;
    this.journal = new Journal(this.paths.journal);
    this.journal.append({
      t: 'run',
      at: Date.now(),
      version: opts.version,
      sources: cfg.sources.map((s) => s.arg),
      destination: cfg.destination,
      resumed: resumable,
    });
    this.journal.flush();
  }

  get resumed(): boolean {
    return this.prior !== null;
  }

  /** Buckets of the earlier run: done ones (to skip) and the rest (to run again). */
  priorBuckets(): { done: Bucket[]; todo: Bucket[]; started: Bucket[]; lastId: number } {
    const out = { done: [] as Bucket[], todo: [] as Bucket[], started: [] as Bucket[], lastId: 0 };
    const p = this.prior;
    if (!p) return out;
    out.lastId = p.lastId;
    for (const r of [...p.buckets.values()].sort((a, b) => a.id - b.id)) {
      if (p.split.has(r.id)) continue;
      const name = bucketName(r.id);
      const b: Bucket = { ...r, listFile: join(this.paths.runDir, `${name}.list`), logFile: join(this.paths.runDir, `${name}.log`), attempts: 0 };
      if (p.done.has(r.id)) out.done.push(b);
      else {
        out.todo.push(b);
        if (p.pids.has(r.id)) out.started.push(b);
      }
    }
    return out;
  }

  /** PIDs of rsyncs an earlier, killed multisync may have left running. */
  priorPids(): number[] {
    const p = this.prior;
    if (!p) return [];
    return [...p.pids].filter(([id]) => !p.done.has(id)).map(([, pid]) => pid);
  }

  /** Subtrees of a source that the earlier run bucketed completely. */
  skipTree(source: number): ((path: Buffer) => boolean) | undefined {
    const set = this.prior?.trees[source];
    return set?.size ? (path) => set.has(path.toString('latin1')) : undefined;
  }

  sourceCrawled(source: number): boolean {
    return this.prior?.crawlDone.has(source) ?? false;
  }

  /** A subtree is safe to skip once the bucket holding its last entry is journaled. */
  treeDone(source: number, path: Buffer): void {
    this.pendingTrees.push({ source, path: path.toString('latin1'), seq: this.entrySeq() });
  }

  /** `settled`: the bucketer's first `settled` entries are all in journaled buckets now. */
  bucketMade(b: Bucket, settled = Infinity): void {
    this.journal.append({ t: 'bucket', id: b.id, source: b.source, files: b.files, bytes: b.bytes });
    this.treesUpTo(settled);
  }

  private treesUpTo(settled: number): void {
    let k = 0;
    const recs: JournalRecord[] = [];
    while (k < this.pendingTrees.length && this.pendingTrees[k].seq <= settled) {
      const { source, path } = this.pendingTrees[k++];
      recs.push({ t: 'tree', source, path });
    }
    if (k) {
      this.journal.appendAll(recs);
      this.pendingTrees = this.pendingTrees.slice(k);
    }
  }

  crawlDone(source: number): void {
    this.treesUpTo(Infinity);
    this.journal.append({ t: 'crawl-done', source });
  }

  hooks() {
    const j = this.journal;
    return {
      started: (b: Bucket, pid: number | undefined) => pid && j.append({ t: 'start', id: b.id, pid }),
      done: (b: Bucket, o: Outcome) => j.append({ t: 'done', id: b.id, exitCode: o.exitCode ?? 0 }),
      failed: (b: Bucket, o: Outcome) => j.append({ t: 'failed', id: b.id, exitCode: o.exitCode, error: o.firstError ?? o.meaning }),
      splitMade: (b: Bucket, parts: Bucket[]) => {
        const made = parts.map((p): JournalRecord => ({ t: 'bucket', id: p.id, source: p.source, files: p.files, bytes: p.bytes }));
        j.appendAll([...made, { t: 'split', id: b.id, into: parts.map((p) => p.id) }]);
      },
    };
  }

  end(sum: Summary): void {
    this.journal.append({
      t: 'end',
      at: Date.now(),
      status: sum.status,
      exitCode: sum.exitCode,
      files: sum.files,
      bytes: sum.bytes,
      buckets: sum.buckets,
      failedBuckets: sum.failedBuckets,
      skippedBuckets: sum.skippedBuckets,
      elapsedMs: sum.elapsedMs,
    });
    this.journal.close();
  }

  /** The failed-path lists an earlier run wrote (input of --retry-failed). */
  failedList(source: number): Buffer | null {
    try {
      return readFileSync(this.paths.failedList(source));
    } catch {
      return null;
    }
  }
}

/** Moves `dirs-N.list` files out of the run dir (about to be cleared); returns their names. */
function carryDirLists(runDir: string, to: string): string[] {
  if (!existsSync(runDir)) return [];
  const names = readdirSync(runDir).filter((n) => /^dirs-\d+\.list$/.test(n));
  for (const n of names) renameSync(join(runDir, n), join(to, n));
  return names;
}
