// What the supervisor (supervisor.ts) is given: how to run a bucket's rsync, its retry policy,
// where counters and events go, and the hooks through which the journal listens in.
import type { StartGate } from './connect-gate.ts';
import type { Stats } from './stats.ts';
import type { Bucket, EngineEvent, Outcome } from './types.ts';
import type { WorkerPool } from './workers.ts';

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
  /** The tail began: everything is handed out and a slot is free (once a run). */
  onTail?(): void;
  /** Asked before a bucket starts in a slot: over ssh, how many slot connections are set up at once. */
  gate?: StartGate;
  /** Over a far link: a bucket due to end within this many ms frees its slot for the next (early-start.ts). */
  startLeadMs?: number | null;
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
