// The supervisor's bucket runs: one attempt of a bucket, from its start in a free slot (rsync
// here, or `ssh HOST rsync …` on a worker host) to its outcome, acted on as bucket-outcome.ts
// says: done, left over, retried after a backoff, cut in halves or failed. A bucket whose worker
// host was lost goes back to the queue. What starts when is the supervisor's (supervisor.ts).
import { doneEvent, failedEvent, failStep, failureOf, nextStep } from './bucket-outcome.ts';
import type { BucketQueue } from './bucket-queue.ts';
import { isSuccess } from './exit-codes.ts';
import { EndForecast } from './early-start.ts';
import { startRsync, type RsyncProgress, type RsyncRun, type RsyncSpawn } from './rsync-process.ts';
import type { Slots } from './slots.ts';
import { followProgress, liveWorker, type LiveWorker } from './live-worker.ts';
import type { Stats } from './stats.ts';
import type { SupervisorConfig } from './supervisor-config.ts';
import type { Bucket, Outcome } from './types.ts';
import type { WorkerHost, WorkerOutcome } from './workers.ts';

/** The supervisor around the runs: what they read of its state, and what they may change. */
export interface RunPool {
  readonly cancelled: boolean;
  readonly draining: boolean;
  /** Why no other bucket may start (null: none). */
  halted: string | null;
  /** Starts what may start now. */
  pump(): void;
}

export class BucketRuns {
  constructor(
    private cfg: SupervisorConfig,
    private queue: BucketQueue,
    private slots: Slots,
    private pool: RunPool,
  ) {}

  private get stats(): Stats {
    return this.cfg.stats;
  }

  start(bucket: Bucket, host?: WorkerHost): void {
    const slot = this.slots.free();
    if (this.cfg.hooks?.claim && !this.cfg.hooks.claim(bucket)) return this.cfg.gate?.ended(slot);
    bucket.attempts++;
    bucket.worker = host?.name;
    const now = Date.now();
    const live = liveWorker(slot, bucket, host?.name, now);
    const run = this.launch(bucket, host, {
      rsync: this.cfg.rsync,
      argv: this.cfg.argvFor(bucket, slot),
      logFile: bucket.logFile,
      onProgress: this.progressOf(slot, bucket, live),
      onFinishing: () => this.windDown(slot, bucket),
    });
    this.slots.take(slot, { bucket, run, live });
    this.cfg.hooks?.started?.(bucket, run.pid);
    this.cfg.emit({ type: 'bucket-start', bucket: bucket.id, files: bucket.files, bytes: bucket.bytes, attempt: bucket.attempts, slot, worker: host?.name });
    run.done.then((outcome) => this.afterRun(slot, bucket, outcome, now, host));
  }

  /** Where a bucket's progress goes: its live worker, and over a far link the forecast of its end (early-start.ts). */
  private progressOf(slot: number, bucket: Bucket, live: LiveWorker): (p: RsyncProgress) => void {
    const follow = followProgress(live, bucket);
    const lead = this.cfg.startLeadMs;
    if (!lead || !bucket.bytes) return follow;
    const forecast = new EndForecast(bucket.bytes, lead);
    let freed = false;
    return (p) => {
      follow(p);
      // (only when a bucket waits: a slot freed with nothing to take would only hide the old one)
      if (!freed && forecast.dueWithinLead(p.bytes, Date.now()) && this.queue.length > 0) {
        freed = true;
        this.windDown(slot, bucket);
      }
    };
  }

  /** The rsync printed its final statistics: its slot takes the next bucket (slots.ts). */
  private windDown(slot: number, bucket: Bucket): void {
    if (!this.pool.cancelled && this.slots.windDown(slot, bucket)) this.pool.pump();
  }

  /** rsync here, or `ssh HOST rsync …` on a worker host. */
  private launch(bucket: Bucket, host: WorkerHost | undefined, s: RsyncSpawn): RsyncRun {
    return host ? this.cfg.workers!.launch(host, `${bucket.id}.${bucket.attempts}`, s) : startRsync(s);
  }

  /** A bucket whose worker host was lost goes back to the queue, its attempt not counted. */
  private afterRun(slot: number, bucket: Bucket, outcome: WorkerOutcome, startedAt: number, host?: WorkerHost): void {
    this.cfg.gate?.ended(slot);
    const lost = host ? this.cfg.workers!.release(host, outcome) : null;
    if (lost === null || this.pool.cancelled) return this.finish(slot, bucket, outcome, startedAt);
    this.slots.forget(slot, bucket);
    bucket.attempts--;
    this.queue.putBack(bucket);
    this.cfg.emit({ type: 'bucket-requeued', bucket: bucket.id, worker: host!.name, error: lost });
    this.pool.halted ??= this.cfg.workers!.deadReason();
    this.pool.pump();
  }

  private finish(slot: number, bucket: Bucket, outcome: Outcome, startedAt: number): void {
    this.slots.forget(slot, bucket);
    // names rsync printed: items it created or changed (unknown, or a failed attempt, counts as a change)
    this.stats.itemsChanged += isSuccess(outcome.kind) ? (outcome.items ?? 1) : 1;
    let next = nextStep(outcome, bucket, { cancelled: this.pool.cancelled, draining: this.pool.draining, retries: this.cfg.retries, backoffMs: this.cfg.backoffMs });
    if (next.step === 'split' && !this.trySplit(bucket, outcome)) next = failStep(outcome);
    if (next.step === 'done') {
      this.stats.bucketDone(bucket, outcome);
      this.cfg.hooks?.done?.(bucket, outcome);
      this.cfg.emit(doneEvent(bucket, outcome, Date.now() - startedAt));
    } else if (next.step === 'leftover') this.queue.putBack(bucket);
    else if (next.step === 'retry') this.retryLater(bucket, outcome, next.delayMs);
    else if (next.step === 'fail') {
      if (next.halt) this.pool.halted = next.halt;
      this.cfg.hooks?.failed?.(bucket, outcome);
      this.queue.fail(bucket);
      this.stats.bucketFailed(failureOf(bucket, outcome));
      this.cfg.emit(failedEvent(bucket, outcome));
    }
    this.pool.pump();
  }

  private retryLater(bucket: Bucket, outcome: Outcome, delayMs: number): void {
    this.stats.retried++;
    this.cfg.emit({ type: 'bucket-retry', bucket: bucket.id, exitCode: outcome.exitCode, error: outcome.firstError ?? outcome.meaning, attempt: bucket.attempts, delayMs });
    this.queue.retryLater(bucket, delayMs, () => this.pool.pump());
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
