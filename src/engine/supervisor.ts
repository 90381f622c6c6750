// Worker pool: runs buckets through rsync with at most `processes` at once, retries retryable
// exits with exponential backoff, and supports pause (SIGSTOP/SIGCONT), live resizing, drain
// and cancel. Counters go to Stats; nothing here touches a UI. A bucket's attempt, from its
// start to what its outcome means, is bucket-runs.ts's; this decides what starts when.
import { BucketQueue } from './bucket-queue.ts';
import { BucketRuns } from './bucket-runs.ts';
import { Slots } from './slots.ts';
import type { Stats } from './stats.ts';
import type { SupervisorConfig } from './supervisor-config.ts';
import type { Bucket } from './types.ts';

export class Supervisor {
  private queue = new BucketQueue();
  private slots: Slots;
  private limit = Infinity;
  private inputClosed = false;
  private draining = false;
  private cancelled = false;
  private halted: string | null = null;
  private waiters: Array<() => void> = [];
  private runs: BucketRuns;

  constructor(private cfg: SupervisorConfig) {
    this.slots = new Slots(cfg.stats.workers);
    // the runs read the pool's state as it is when they look, and may halt it
    const sup = this;
    this.runs = new BucketRuns(cfg, this.queue, this.slots, {
      get cancelled() { return sup.cancelled; },
      get draining() { return sup.draining; },
      get halted() { return sup.halted; },
      set halted(reason) { sup.halted = reason; },
      pump: () => this.pump(),
    });
    cfg.gate?.onOpen(() => this.pump());
    cfg.workers?.onOpen(() => this.pump());
  }

  get stats(): Stats {
    return this.cfg.stats;
  }

  enqueue(b: Bucket): void {
    this.queue.add(b);
    this.stats.queued = this.queue.length;
    this.pump();
  }

  closeInput(): void {
    this.inputClosed = true;
    this.pump();
  }

  /** Slots free and nothing queued: the crawl should hand over what it has. */
  hungry(): boolean {
    return this.demand() > 0;
  }

  /** How many more buckets could start right now (free slots minus queued buckets). */
  demand(): number {
    if (this.stats.paused || this.draining || this.cancelled || this.halted) return 0;
    return Math.max(0, this.capacity() - this.slots.taken - this.queue.length);
  }

  failed(): Bucket[] {
    return this.queue.failed;
  }

  haltReason(): string | null {
    return this.halted;
  }

  setProcesses(n: number): void {
    this.stats.processes = Math.max(1, Math.floor(n));
    this.cfg.emit({ type: 'processes', processes: this.stats.processes });
    this.pump();
  }

  pause(): void {
    if (this.stats.paused || this.cancelled) return;
    this.stats.paused = true;
    this.slots.signal('SIGSTOP');
    this.cfg.emit({ type: 'paused' });
  }

  resume(): void {
    if (!this.stats.paused) return;
    this.stats.paused = false;
    this.slots.signal('SIGCONT');
    this.cfg.emit({ type: 'resumed' });
    this.pump();
  }

  retryFailed(): void {
    if (this.cancelled || !this.queue.failed.length) return;
    this.stats.failures = [];
    this.stats.failed = 0;
    this.stats.retried += this.queue.requeueFailed();
    this.stats.queued = this.queue.length;
    this.pump();
  }

  drain(): void {
    this.draining = true;
    this.stats.phase = 'draining';
    this.queue.dropTimers();
    if (this.stats.paused) this.resume();
    this.settle();
  }

  /** Kills every running rsync (TERM, then KILL after a grace period). Idempotent. */
  cancel(graceMs = 3000): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.stats.phase = 'cancelling';
    this.queue.dropTimers();
    this.slots.signal('SIGTERM');
    this.slots.signal('SIGCONT');
    if (this.slots.busy) {
      const kill = setTimeout(() => this.slots.signal('SIGKILL'), graceMs);
      kill.unref?.();
    }
    this.settle();
  }

  /** Sends SIGKILL to every process group right now (process exit path). */
  killAllSync(): void {
    this.slots.signal('SIGKILL');
  }

  /** Resolves when nothing is running, queued or waiting for a retry (and input is closed). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.settle();
    });
  }

  /** Buckets that never ran because the run was cancelled, drained or halted. */
  leftover(): Bucket[] {
    return this.queue.queued;
  }

  private isIdle(): boolean {
    if (this.slots.busy) return false;
    if (this.cancelled || this.draining || this.halted) return true;
    return this.inputClosed && this.queue.empty;
  }

  private settle(): void {
    if (!this.isIdle()) return;
    if (this.inputClosed) this.stats.bucketsEndAt ??= Date.now();
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private pump(): void {
    while (
      !this.stats.paused &&
      !this.draining &&
      !this.cancelled &&
      !this.halted &&
      this.queue.length &&
      this.slots.taken < this.capacity() &&
      (this.cfg.gate?.mayStart(this.slots.free()) ?? true)
    ) {
      const host = this.cfg.workers?.acquire(this.stats.processes);
      if (host === null) break;
      this.runs.start(this.queue.next()!, host);
    }
    this.stats.queued = this.queue.length;
    if (this.demand() > 0) this.cfg.onHungry?.();
    // the tail: from the first worker left without work (everything handed out) to the end
    if (this.inputClosed && this.queue.empty && this.slots.taken < this.capacity() && this.stats.firstIdleAt === undefined) {
      this.stats.firstIdleAt = Date.now();
      this.cfg.onTail?.();
    }
    this.settle();
  }

  /** Buckets that may run at once: -p, or -p per live worker host. */
  private capacity(): number {
    const n = this.cfg.workers ? this.cfg.workers.capacity(this.stats.processes) : this.stats.processes;
    return Math.min(n, this.limit);
  }

  /**
   * A temporary cap below -p (null: none): while a local crawl keeps a core busy, fewer rsyncs
   * leave it that core, so the crawl ends sooner and the rest is planned knowing the whole tree.
   */
  setLimit(n: number | null): void {
    this.limit = n ?? Infinity;
    this.pump();
  }
}
