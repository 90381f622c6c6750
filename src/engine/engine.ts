// The run: crawl every source → bucketer → supervisor (live: rsyncs start while the crawl goes
// on), then one directory-metadata pass. Emits typed events; consumers poll snapshot().
import { mkdirSync, rmSync } from 'node:fs';
import { splitBucket } from './bucket-split.ts';
import { writeFailedPaths } from './failed-paths.ts';
import { openRunState, resumeBuckets, retryLists } from './resume.ts';
import type { RunState } from './run-state.ts';
import { Bucketer } from './bucketer.ts';
import type { RunConfig } from './config.ts';
import { deleteBlocker, runDeletePass } from './delete-pass.ts';
import { runDirectoryPass } from './dir-pass.ts';
import type { DirList } from './dir-list.ts';
import { feedSources } from './feed.ts';
import { bucketArgs } from './rsync-args.ts';
import { filterArgs } from './filter.ts';
import type { RsyncRun, RsyncSpawn } from './rsync-process.ts';
import { Stats } from './stats.ts';
import { Supervisor } from './supervisor.ts';
import { WorkerPool } from './workers.ts';
import { SharedPlan } from './shared-plan.ts';
import type { Bucket, EngineControl, EngineEvent, Snapshot } from './types.ts';
import { buildSummary, type Summary } from './summary.ts';

const TICK_MS = 250;
/** A partly filled bucket is handed to an idle worker after this long (slow crawls). */
const LIVE_FLUSH_MS = 300;

export class Engine implements EngineControl {
  readonly stats: Stats;
  private supervisor: Supervisor;
  private crawlAbort = new AbortController();
  private listeners: Array<(e: EngineEvent) => void> = [];
  private dirLists: DirList[] = [];
  private runDir = '';
  private cancelled = false;
  private finalRun: RsyncRun | null = null;
  /** --workers: the hosts buckets and final passes run on. */
  private workerPool?: WorkerPool;
  /** --shared: the plan several coordinators share. */
  private shared?: SharedPlan;
  private state: RunState | null = null;
  private splitIds: () => number = () => 0;
  private release: (() => void) | null = null;
  private draining = false;

  constructor(readonly cfg: RunConfig) {
    this.stats = new Stats(
      cfg.sources.map((s) => s.arg),
      cfg.destination,
    );
    this.stats.processes = cfg.processes;
    if (cfg.shared) this.shared = new SharedPlan(cfg, () => this.runDir, (e) => this.emit(e));
    if (cfg.workers?.length) this.workerPool = new WorkerPool({ hosts: cfg.workers, rsh: cfg.rsh, sshControlDir: cfg.sshControlDir, emit: (e) => this.emit(e) });
    this.supervisor = new Supervisor({
      workers: this.workerPool,
      rsync: cfg.rsyncPath,
      retries: cfg.retries,
      backoffMs: cfg.backoffMs,
      stats: this.stats,
      emit: (e) => this.emit(e),
      argvFor: (b) => this.argvFor(b),
      hooks: {
        claim: (b) => this.shared?.claim(b) ?? true,
        started: (b, pid) => this.state?.hooks().started(b, pid),
        done: (b, o) => (this.state?.hooks().done(b, o), this.shared?.done(b)),
        failed: (b, o) => (this.state?.hooks().failed(b, o), this.shared?.failed(b, o)),
        split: (b) => {
          if (this.shared) return null; // a split's new ids are not in the shared plan
          const parts = splitBucket(b, this.runDir, this.splitIds, 0);
          if (parts) this.state?.hooks().splitMade(b, parts);
          return parts;
        },
      },
    });
  }

  on(listener: (e: EngineEvent) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  private argvFor(b: Bucket): string[] {
    const src = this.cfg.sources[b.source];
    return bucketArgs({
      userOpts: this.cfg.rsyncOpts,
      filters: filterArgs(this.cfg.filters),
      rsh: this.cfg.rsh,
      listFile: b.listFile,
      base: src.base,
      destination: this.cfg.destination,
      dryRun: this.cfg.dryRun,
    });
  }

  snapshot(): Snapshot {
    return this.stats.snapshot();
  }
  pause(): void {
    this.supervisor.pause();
  }
  resume(): void {
    this.supervisor.resume();
  }
  setProcesses(n: number): void {
    this.supervisor.setProcesses(n);
  }
  retryFailed(): void {
    this.supervisor.retryFailed();
    this.release?.();
  }
  drain(): void {
    this.draining = true;
    this.release?.();
    this.crawlAbort.abort();
    this.supervisor.drain();
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.crawlAbort.abort();
    this.supervisor.cancel();
    this.finalRun?.signal('SIGTERM');
    this.release?.();
  }
  /** Last-resort synchronous kill of every rsync (process 'exit' handler). */
  killAllSync(): void {
    this.supervisor.killAllSync();
    this.finalRun?.signal('SIGKILL');
    this.workerPool?.killAllSync();
  }

  /** Interactive: everything ran but some buckets failed — wait for `r` (retry) or `q`. */
  private async holdWhileFailed(): Promise<void> {
    while (this.cfg.holdOnFailure && this.supervisor.failed().length && !this.cancelled && !this.draining) {
      this.stats.phase = 'held';
      await new Promise<void>((resolve) => (this.release = resolve));
      this.release = null;
      if (this.stats.phase === 'held') this.stats.phase = 'running';
      await this.supervisor.idle();
    }
  }

  /** After the buckets: --delete (only when safe), then the directory-metadata pass. */
  private async finish(): Promise<void> {
    if (this.cancelled) return;
    const ctx = {
      cfg: this.cfg,
      runDir: this.runDir,
      stats: this.stats,
      emit: (e: EngineEvent) => this.emit(e),
      isCancelled: () => this.cancelled,
      setRun: (r: RsyncRun | null) => (this.finalRun = r),
      launch: this.workerPool && ((s: RsyncSpawn) => this.workerPool!.launchPass(s)),
    };
    const blocker = deleteBlocker({
      failedBuckets: this.supervisor.failed().length,
      crawlErrors: this.stats.crawlErrors,
      leftover: this.supervisor.leftover().length,
      halted: this.supervisor.haltReason(),
    });
    if (this.cfg.deleteOpts.length) await runDeletePass(ctx, blocker);
    if (!blocker && !this.cfg.dryRun && !this.cancelled) await runDirectoryPass({ ...ctx, dirLists: this.dirLists });
  }

  /** Runs the whole job. `createDestination` asks for the local destination directory to be made first. */
  async run(opts: { signal?: AbortSignal; createDestination?: boolean; version?: string } = {}): Promise<Summary> {
    const cfg = this.cfg;
    opts.signal?.addEventListener('abort', () => this.cancel(), { once: true });
    const { state, ephemeral } = openRunState(cfg, opts.version ?? '');
    this.state = state;
    this.runDir = state.paths.runDir;
    if (opts.createDestination && !cfg.dryRun) mkdirSync(cfg.destination, { recursive: false });
    this.emit({
      type: 'start',
      processes: cfg.processes,
      sources: cfg.sources.map((s) => s.arg),
      destination: cfg.destination,
      dryRun: cfg.dryRun,
      bucketDir: this.runDir,
      stateDir: ephemeral ? undefined : state.paths.dir,
    });
    const bucketer = new Bucketer({
      dir: this.runDir,
      maxFiles: cfg.maxFiles,
      maxBytes: cfg.maxBytes,
      onBucket: (b) => {
        if (this.shared) return this.shared.publish(b); // every coordinator takes it from there
        this.stats.bucketsTotal++;
        state.bucketMade(b);
        this.supervisor.enqueue(b);
      },
    });
    this.splitIds = () => bucketer.nextId++;
    resumeBuckets(state, cfg, this.supervisor, this.stats, bucketer, (e) => this.emit(e));
    const tick = setInterval(() => {
      this.stats.sample();
      if (this.supervisor.hungry() && bucketer.pendingFiles > 0 && Date.now() - bucketer.openedAt >= LIVE_FLUSH_MS) {
        bucketer.flush();
      }
    }, TICK_MS);
    try {
      const feed = () => feedSources({
        cfg,
        runDir: this.runDir,
        bucketer,
        stats: this.stats,
        signal: this.crawlAbort.signal,
        emit: (e) => this.emit(e),
        dirLists: this.dirLists,
        state,
        retry: cfg.retryFailed ? retryLists(state, cfg) : undefined,
      });
      await (this.shared ? this.shared.follow(feed, { supervisor: this.supervisor, stats: this.stats, bucketer, signal: this.crawlAbort.signal }) : feed());
      this.supervisor.closeInput();
      await this.supervisor.idle();
      await this.holdWhileFailed();
      await this.finish();
    } finally {
      clearInterval(tick);
      this.shared?.close();
      this.stats.sample();
      this.stats.phase = 'done';
    }
    const summary = buildSummary(this.stats, this.supervisor, {
      cancelled: this.cancelled,
      dryRun: cfg.dryRun,
      runDir: this.runDir,
    });
    if (!ephemeral) writeFailedPaths(state.paths, summary, cfg.sources.length);
    state.end(summary);
    const clean = summary.failedBuckets === 0 && summary.leftoverBuckets === 0 && summary.exitCode === 0;
    if (!cfg.keep && clean) rmSync(ephemeral ? state.paths.dir : this.runDir, { recursive: true, force: true });
    else summary.keptDir = this.runDir;
    if (!ephemeral) summary.stateDir = state.paths.dir;
    return summary;
  }
}
