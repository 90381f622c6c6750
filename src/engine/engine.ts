// The run: crawl every source → bucketer → supervisor (live: rsyncs start while the crawl goes
// on), then one directory-metadata pass. Emits typed events; consumers poll snapshot().
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { splitBucket } from './bucket-split.ts';
import { writeFailedPaths } from './failed-paths.ts';
import { openRunState, resumeBuckets, retryLists } from './resume.ts';
import type { RunState } from './run-state.ts';
import { Bucketer, ENTRY_COST, REMOTE_ENTRY_COST } from './bucketer.ts';
import { isRemote, type RunConfig } from './config.ts';
import { deleteBlocker, runDeletePass } from './delete-pass.ts';
import { dirPassNeeded, runDirectoryPass } from './dir-pass.ts';
import type { DirList } from './dir-list.ts';
import { feedSources } from './feed.ts';
import { BucketCommands } from './bucket-commands.ts';
import type { RsyncRun, RsyncSpawn } from './rsync-process.ts';
import { Stats } from './stats.ts';
import { Supervisor } from './supervisor.ts';
import { WorkerPool } from './workers.ts';
import { SharedPlan } from './shared-plan.ts';
import type { EngineControl, EngineEvent, Snapshot } from './types.ts';
import { buildSummary, type Summary } from './summary.ts';

const TICK_MS = 250;
/** How long a local crawl keeps a core to itself at most (see crawlLimit). */
const CRAWL_HOLD_MS = 1000;

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
  /** Each bucket's rsync command line (and what a bucket may name). */
  private readonly commands: BucketCommands;
  /** A slot is free: the bucketer may cut what its pool holds (set once the run has one). */
  private onHungry: () => void = () => {};
  private release: (() => void) | null = null;
  private draining = false;

  constructor(readonly cfg: RunConfig) {
    this.stats = new Stats(
      cfg.sources.map((s) => s.arg),
      cfg.destination,
    );
    this.stats.processes = cfg.processes;
    this.commands = new BucketCommands(cfg, !!cfg.workers?.length);
    if (cfg.shared) this.shared = new SharedPlan(cfg, () => this.runDir, (e) => this.emit(e));
    if (cfg.workers?.length) this.workerPool = new WorkerPool({ hosts: cfg.workers, rsh: cfg.rsh, sshControlDir: cfg.sshControlDir, emit: (e) => this.emit(e) });
    this.supervisor = new Supervisor({
      workers: this.workerPool,
      rsync: cfg.rsyncPath,
      retries: cfg.retries,
      backoffMs: cfg.backoffMs,
      stats: this.stats,
      emit: (e) => this.emit(e),
      argvFor: (b, slot) => this.commands.argvFor(b, slot),
      onHungry: () => this.onHungry(),
      hooks: {
        claim: (b) => this.shared?.claim(b) ?? true,
        started: (b, pid) => this.state?.hooks().started(b, pid),
        done: (b, o) => (this.state?.hooks().done(b, o), this.shared?.done(b)),
        failed: (b, o) => (this.state?.hooks().failed(b, o), this.shared?.failed(b, o)),
        split: (b) => {
          if (this.shared) return null; // a split's new ids are not in the shared plan
          const parts = splitBucket(b, this.runDir, this.splitIds, 0, (rec) => this.commands.childrenOf(b, rec));
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
    const needed = !this.state || dirPassNeeded(this.cfg, this.stats, !this.state.resumed && !this.cfg.retryFailed && !this.shared);
    if (!blocker && !this.cfg.dryRun && !this.cancelled && needed) await runDirectoryPass({ ...ctx, dirLists: this.dirLists });
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
      onBucket: (b, settled) => {
        if (this.shared) return this.shared.publish(b); // every coordinator takes it from there
        this.stats.bucketsTotal++;
        state.bucketMade(b, settled);
        this.supervisor.enqueue(b);
      },
      // (--shared: the plan's buckets go to every coordinator's slots: cut at the caps, in order)
      slots: () => (this.shared ? 1 : this.stats.processes * Math.max(1, cfg.workers?.length ?? 1)),
      wholeDirs: this.commands.wholeDirs,
      entryCost: [cfg.destination, ...cfg.sources.map((s) => s.arg)].some(isRemote) ? REMOTE_ENTRY_COST : ENTRY_COST,
      demand: () => (this.shared ? 0 : this.supervisor.demand()),
      // --shared: other coordinators take buckets as they are published, so they stream out
      window: cfg.shared ? cfg.maxFiles : undefined,
    });
    state.entrySeq = () => bucketer.added;
    this.onHungry = () => bucketer.pump();
    this.splitIds = () => bucketer.nextId++;
    resumeBuckets(state, cfg, this.supervisor, this.stats, bucketer, (e) => this.emit(e));
    const tick = setInterval(() => this.stats.sample(), TICK_MS);
    // A local crawl is CPU work: on a small machine it gets a core of its own for a while
    const cores = availableParallelism();
    const crawlLimit = cfg.sources.some((s) => isRemote(s.arg)) || cores > this.stats.processes ? null : Math.max(1, cores - 1);
    let unlimit: ReturnType<typeof setTimeout> | undefined;
    if (crawlLimit !== null) {
      this.supervisor.setLimit(crawlLimit);
      unlimit = setTimeout(() => this.supervisor.setLimit(null), CRAWL_HOLD_MS);
    }
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
      clearTimeout(unlimit);
      this.supervisor.setLimit(null);
      this.supervisor.closeInput();
      await this.supervisor.idle();
      await this.holdWhileFailed();
      await this.finish();
    } finally {
      clearInterval(tick);
      clearTimeout(unlimit);
      this.commands.closeSlotConnections();
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
