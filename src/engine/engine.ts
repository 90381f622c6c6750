// The run: crawl every source → bucketer → supervisor (live: rsyncs start while the crawl goes
// on), then one directory-metadata pass. Emits typed events; consumers poll snapshot(). How the
// bucketer is set up, what the supervisor's hooks do and how a run ends are in run-bucketer.ts,
// run-hooks.ts and run-end.ts.
import { mkdirSync } from 'node:fs';
import { openRunState, resumeBuckets, retryLists } from './resume.ts';
import type { RunState } from './run-state.ts';
import { runBucketer } from './run-bucketer.ts';
import { endRun, runFinalPasses } from './run-end.ts';
import { runHooks } from './run-hooks.ts';
import type { RunConfig } from './config.ts';
import { holdCoreForCrawl } from './crawl-hold.ts';
import type { DirList } from './dir-list.ts';
import { feedSources } from './feed.ts';
import { BucketCommands } from './bucket-commands.ts';
import type { RsyncRun, RsyncSpawn } from './rsync-process.ts';
import { Stats } from './stats.ts';
import { Supervisor } from './supervisor.ts';
import { WorkerPool } from './workers.ts';
import { WarmPass } from './warm-pass.ts';
import { SharedPlan } from './shared-plan.ts';
import type { EngineControl, EngineEvent, Snapshot } from './types.ts';
import type { Summary } from './summary.ts';
import { runStartLead } from './early-start.ts';

const TICK_MS = 250;

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
  /** The directory pass, started when the tail begins (over ssh: warm-pass.ts). */
  private readonly warm = new WarmPass();

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
      // (not when no bucket was made, a no-op re-run: a pass there is rare, and one started for
      // nothing costs an rsync's start and stop)
      onTail: () => this.stats.bucketsTotal > 0 && this.warm.startFor(cfg, this.dirLists, this.runDir, !!this.workerPool),
      gate: this.commands.gate,
      startLeadMs: runStartLead(cfg),
      hooks: runHooks({ shared: this.shared, commands: this.commands, state: () => this.state, runDir: () => this.runDir, splitIds: () => this.splitIds }),
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
    void this.warm.drop();
    this.release?.();
  }
  /** Last-resort synchronous kill of every rsync (process 'exit' handler). */
  killAllSync(): void {
    this.supervisor.killAllSync();
    this.finalRun?.signal('SIGKILL');
    this.warm.killSync();
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
      warm: this.warm,
    };
    await runFinalPasses(ctx, { supervisor: this.supervisor, state: this.state, shared: !!this.shared, dirLists: this.dirLists });
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
    const bucketer = runBucketer({ cfg, runDir: this.runDir, stats: this.stats, state, supervisor: this.supervisor, commands: this.commands, shared: this.shared });
    state.entrySeq = () => bucketer.added;
    this.onHungry = () => bucketer.pump();
    this.splitIds = () => bucketer.nextId++;
    resumeBuckets(state, cfg, this.supervisor, this.stats, bucketer, (e) => this.emit(e));
    const tick = setInterval(() => this.stats.sample(), TICK_MS);
    // A local crawl is CPU work: on a small machine it gets a core of its own for a while
    const unlimit = holdCoreForCrawl(this.supervisor, cfg, this.stats.processes);
    // idle slots take the crawl's first entries as they come (not only once a slot event asks)
    bucketer.pump();
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
      // a directory pass started ahead that no pass used is stopped before it read a name
      await this.warm.drop();
      clearInterval(tick);
      clearTimeout(unlimit);
      await Promise.all([this.commands.closeSlotConnections(), this.workerPool?.closeConnections()]);
      this.stats.sshConnections = this.commands.connections;
      this.shared?.close();
      this.stats.sample();
      this.stats.phase = 'done';
    }
    return endRun({ cfg, stats: this.stats, supervisor: this.supervisor, state, ephemeral, runDir: this.runDir, cancelled: this.cancelled });
  }
}
