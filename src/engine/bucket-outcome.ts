// What an rsync's outcome means for its bucket (the supervisor acts on it): done, back to the
// queue untouched (the run is ending), retried after a backoff, cut in halves, or failed — and
// the records a done or failed bucket leaves in the statistics and the event stream.
import { isRetryable, isSuccess } from './exit-codes.ts';
import type { Bucket, EngineEvent, FailureSnapshot, Outcome } from './types.ts';

export type NextStep =
  | { step: 'done' }
  /** Never finished (cancelled, or drained): left over, not failed. */
  | { step: 'leftover' }
  | { step: 'retry'; delayMs: number }
  /** Cut it in halves so its good entries still land (when the split hook can; else fail). */
  | { step: 'split' }
  /** `halt`: no other bucket should start (the destination is full). */
  | { step: 'fail'; halt?: string };

export interface RunState {
  cancelled: boolean;
  draining: boolean;
  /** Retries of a retryable exit (--retries), unless the bucket has its own. */
  retries: number;
  backoffMs: number;
}

/** Exits that depend on the entries (not on the command line or the connection): worth isolating. */
export const splittable = (o: Outcome): boolean => o.kind === 'partial' || (o.kind === 'fatal' && ![1, 2, 4, 5].includes(o.exitCode ?? -1));

/** The bucket's next step after an attempt (`attempts` counts it) ended with `o`. */
export function nextStep(o: Outcome, b: Pick<Bucket, 'attempts' | 'maxRetries' | 'files'>, s: RunState): NextStep {
  if (isSuccess(o.kind)) return { step: 'done' };
  if (s.cancelled || (o.kind === 'cancelled' && s.draining)) return { step: 'leftover' };
  if (isRetryable(o.kind) && b.attempts <= (b.maxRetries ?? s.retries)) return { step: 'retry', delayMs: s.backoffMs * 2 ** (b.attempts - 1) };
  if (b.files > 1 && splittable(o)) return { step: 'split' };
  return failStep(o);
}

/** A bucket that failed for good (also one whose split was not possible). */
export function failStep(o: Outcome): NextStep {
  return o.kind === 'no-space' ? { step: 'fail', halt: o.firstError ?? 'no space left on device' } : { step: 'fail' };
}

export function doneEvent(b: Bucket, o: Outcome, elapsedMs: number): EngineEvent {
  return {
    type: 'bucket-done',
    bucket: b.id,
    files: b.files,
    bytes: b.bytes,
    exitCode: o.exitCode ?? 0,
    elapsedMs,
    warning: o.kind === 'vanished' ? o.meaning : undefined,
    worker: b.worker,
  };
}

export function failureOf(b: Bucket, o: Outcome): FailureSnapshot {
  return {
    bucket: b.id,
    source: b.source,
    files: b.files,
    bytes: b.bytes,
    exitCode: o.exitCode,
    kind: o.kind,
    meaning: o.meaning,
    firstError: o.firstError ?? o.meaning,
    logFile: b.logFile,
    attempts: b.attempts,
  };
}

export function failedEvent(b: Bucket, o: Outcome): EngineEvent {
  return {
    type: 'bucket-failed',
    bucket: b.id,
    files: b.files,
    bytes: b.bytes,
    exitCode: o.exitCode,
    kind: o.kind,
    meaning: o.meaning,
    error: o.firstError ?? o.meaning,
    logFile: b.logFile,
    worker: b.worker,
  };
}
