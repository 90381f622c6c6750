// Worker pool: runs buckets through rsync with at most `processes` at once, retries retryable
// exits with exponential backoff, and supports pause (SIGSTOP/SIGCONT), live resizing, drain
// and cancel. Counters go to Stats; nothing here touches a UI.
import { doneEvent, failedEvent, failStep, failureOf, nextStep } from './bucket-outcome.ts';
import { BucketQueue } from './bucket-queue.ts';
import { isSuccess } from './exit-codes.ts';
import { startRsync, type RsyncRun, type RsyncSpawn } from './rsync-process.ts';
import { Slots } from './slots.ts';
import { followProgress, liveWorker, type Stats } from './stats.ts';
import type { Bucket, EngineEvent, Outcome } from './types.ts';
import type { WorkerHost, WorkerOutcome, WorkerPool } from './workers.ts';

export interface SupervisorConfig {
  rsync: string;
  retries: number;
  backoffMs: number;
  /** argv for a bucket; `slot` is the worker slot it runs in (1 … -p). */
  argvFor(bucket: Bucket, slot?: number): string[];
  emit(e: EngineEvent): void;
  stats: Stats;
  hooks?: SupervisorHooks;
  /** Worker hosts (--workers): each bucket runs on one of them; -p is per host. */
  workers?: WorkerPool;
  /** A slot is free and nothing is queued: the crawl may hand over what it has (bucketer.pump). */
  onHungry?(): void;
}

/** Where the journal listens in, and how a failing bucket is cut in halves. */
export interface SupervisorHooks {
  /** Just before a bucket starts: false when it is not ours to run (--shared: another host claimed it). */
  claim?(b: Bucket): boolean;
  started?(b: Bucket, pid: number | undefined): void;
  done?(b: Bucket, o: Outcome): void;
  failed?(b: Bucket, o: Outcome): void;
  /** Splits a bucket that keeps failing so its good entries still land; null when it can't. */
  split?(b: Bucket): Bucket[] | null;
}

export class Supervisor {
  private queue = new BucketQueue();
  private slots: Slots;
  private limit = Infinity;
  private inputClosed = false;
  private draining = false;
  private cancelled = false;
  private halted: string | null = null;
  private waiters: Array<() => void> = [];

  constructor(private cfg: SupervisorConfig) {
    this.slots = new Slots(cfg.stats.workers);
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
      this.slots.taken < this.capacity()
    ) {
      const host = this.cfg.workers?.acquire(this.stats.processes);
      if (host === null) break;
      this.start(this.queue.next()!, host);
    }
    this.stats.queued = this.queue.length;
    if (this.demand() > 0) this.cfg.onHungry?.();
    // the tail: from the first worker left without work (everything handed out) to the end
    if (this.inputClosed && this.queue.empty && this.slots.taken < this.capacity()) this.stats.firstIdleAt ??= Date.now();
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

  private start(bucket: Bucket, host?: WorkerHost): void {
    if (this.cfg.hooks?.claim && !this.cfg.hooks.claim(bucket)) return;
    const slot = this.slots.free();
    bucket.attempts++;
    bucket.worker = host?.name;
    const now = Date.now();
    const live = liveWorker(slot, bucket, host?.name, now);
    const run = this.launch(bucket, host, {
      rsync: this.cfg.rsync,
      argv: this.cfg.argvFor(bucket, slot),
      logFile: bucket.logFile,
      onProgress: followProgress(live, bucket),
      onFinishing: () => this.windDown(slot, bucket),
    });
    this.slots.take(slot, { bucket, run, live });
    this.cfg.hooks?.started?.(bucket, run.pid);
    this.cfg.emit({ type: 'bucket-start', bucket: bucket.id, files: bucket.files, bytes: bucket.bytes, attempt: bucket.attempts, slot, worker: host?.name });
    run.done.then((outcome) => this.afterRun(slot, bucket, outcome, now, host));
  }

  /** The rsync printed its final statistics: its slot takes the next bucket (slots.ts). */
  private windDown(slot: number, bucket: Bucket): void {
    if (!this.cancelled && this.slots.windDown(slot, bucket)) this.pump();
  }

  /** rsync here, or `ssh HOST rsync …` on a worker host. */
  private launch(bucket: Bucket, host: WorkerHost | undefined, s: RsyncSpawn): RsyncRun {
    return host ? this.cfg.workers!.launch(host, `${bucket.id}.${bucket.attempts}`, s) : startRsync(s);
  }

  /** A bucket whose worker host was lost goes back to the queue, its attempt not counted. */
  private afterRun(slot: number, bucket: Bucket, outcome: WorkerOutcome, startedAt: number, host?: WorkerHost): void {
    const lost = host ? this.cfg.workers!.release(host, outcome) : null;
    if (lost === null || this.cancelled) return this.finish(slot, bucket, outcome, startedAt);
    this.slots.forget(slot, bucket);
    bucket.attempts--;
    this.queue.putBack(bucket);
    this.cfg.emit({ type: 'bucket-requeued', bucket: bucket.id, worker: host!.name, error: lost });
    this.halted ??= this.cfg.workers!.deadReason();
    this.pump();
  }

  private finish(slot: number, bucket: Bucket, outcome: Outcome, startedAt: number): void {
    this.slots.forget(slot, bucket);
    // names rsync printed: items it created or changed (unknown, or a failed attempt, counts as a change)
    this.stats.itemsChanged += isSuccess(outcome.kind) ? (outcome.items ?? 1) : 1;
    let next = nextStep(outcome, bucket, { cancelled: this.cancelled, draining: this.draining, retries: this.cfg.retries, backoffMs: this.cfg.backoffMs });
    if (next.step === 'split' && !this.trySplit(bucket, outcome)) next = failStep(outcome);
    if (next.step === 'done') {
      this.stats.bucketDone(bucket, outcome);
      this.cfg.hooks?.done?.(bucket, outcome);
      this.cfg.emit(doneEvent(bucket, outcome, Date.now() - startedAt));
    } else if (next.step === 'leftover') this.queue.putBack(bucket);
    else if (next.step === 'retry') this.retryLater(bucket, outcome, next.delayMs);
    else if (next.step === 'fail') {
      if (next.halt) this.halted = next.halt;
      this.cfg.hooks?.failed?.(bucket, outcome);
      this.queue.fail(bucket);
      this.stats.bucketFailed(failureOf(bucket, outcome));
      this.cfg.emit(failedEvent(bucket, outcome));
    }
    this.pump();
  }

  private retryLater(bucket: Bucket, outcome: Outcome, delayMs: number): void {
    this.stats.retried++;
    this.cfg.emit({ type: 'bucket-retry', bucket: bucket.id, exitCode: outcome.exitCode, error: outcome.firstError ?? outcome.meaning, attempt: bucket.attempts, delayMs });
    this.queue.retryLater(bucket, delayMs, () => this.pump());
  }

  /** The halves are queued (the bucket itself is neither done nor failed); false when it cannot be cut. */
  private trySplit(bucket: Bucket, outcome: Outcome): boolean {
    const parts = this.cfg.hooks?.split?.(bucket);
    if (!parts) return false;
    this.stats.bucketsTotal += parts.length;
    this.cfg.emit({ type: 'bucket-split', bucket: bucket.id, into: parts.map((p) => p.id), exitCode: outcome.exitCode, error: outcome.firstError ?? outcome.meaning });
    this.queue.putBack(...parts);
    return true;
  }
}
