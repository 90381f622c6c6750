// Realistic snapshots and a recording fake EngineControl for the TUI tests.
import type { EngineControl, FailureSnapshot, Snapshot, WorkerSnapshot } from '../../src/engine/types.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const T0 = 1_750_000_000_000;

export function makeWorker(overrides: Partial<WorkerSnapshot> = {}): WorkerSnapshot {
  return {
    slot: 0,
    bucket: 100,
    files: 5000,
    filesDone: 1234,
    bytes: 2 * GiB,
    bytesDone: 700 * MiB,
    bytesPerSec: 12.3 * MiB,
    history: [8, 9, 10, 12, 11, 13, 12.3].map((m) => m * MiB),
    currentFile: 'projects/2019/very-long-directory-name/another-deep-level/raw-data/sample_000123.fastq.gz',
    startedAt: T0 + 60_000,
    attempt: 1,
    ...overrides,
  };
}

export function makeFailure(overrides: Partial<FailureSnapshot> = {}): FailureSnapshot {
  return {
    bucket: 17,
    files: 4000,
    bytes: 3 * GiB,
    exitCode: 23,
    kind: 'partial',
    meaning: 'Partial transfer due to error',
    firstError: 'rsync: [sender] send_files failed to open "/data/src/locked/file.db": Permission denied (13)',
    logFile: '/var/tmp/multisync-run-20250615/logs/bucket-000017.log',
    attempts: 3,
    ...overrides,
  };
}

const DEFAULT_WORKERS: WorkerSnapshot[] = [
  makeWorker({ slot: 0, bucket: 101 }),
  makeWorker({
    slot: 1,
    bucket: 102,
    bytesPerSec: 45.6 * MiB,
    currentFile: 'home/alice/photos/2021/holiday/IMG_4821.CR2',
    filesDone: 20,
    files: 300,
  }),
  makeWorker({ slot: 2, bucket: 103, bytesPerSec: 0, history: [], currentFile: '', filesDone: 0, bytesDone: 0 }),
  makeWorker({ slot: 3, bucket: 57, attempt: 2, bytesPerSec: 900 * 1024, currentFile: 'var/lib/postgresql/base/16384/2619' }),
];

const DEFAULT_FAILURES: FailureSnapshot[] = [
  makeFailure(),
  makeFailure({
    bucket: 42,
    exitCode: 11,
    kind: 'fatal',
    meaning: 'Error in file I/O',
    firstError: 'rsync: write failed on "/mnt/dst/big.img": No space left on device (28)',
    logFile: '/var/tmp/multisync-run-20250615/logs/bucket-000042.log',
    attempts: 1,
  }),
];

export type SnapshotOverrides = Omit<Partial<Snapshot>, 'buckets'> & { buckets?: Partial<Snapshot['buckets']> };

export function makeSnapshot(overrides: SnapshotOverrides = {}): Snapshot {
  const { buckets, ...rest } = overrides;
  return {
    sources: ['/data/src/projects/', '/data/src/home'],
    destination: 'backup01:/srv/migration/target/',
    startedAt: T0,
    now: T0 + 3_723_000,
    elapsedMs: 3_723_000,
    etaMs: 1_510_000,
    crawlDone: true,
    crawlErrors: 0,
    filesTotal: 1_234_567,
    bytesTotal: 2_600 * GiB,
    filesDone: 630_000,
    bytesDone: 1_180 * GiB,
    bytesPerSec: 112.3 * MiB,
    filesPerSec: 1234,
    processes: 4,
    paused: false,
    phase: 'running',
    workers: DEFAULT_WORKERS,
    failures: DEFAULT_FAILURES,
    ...rest,
    buckets: {
      total: 433,
      queued: 120,
      running: 4,
      done: 300,
      failed: 2,
      retried: 3,
      skipped: 4,
      ...buckets,
    },
  };
}

export type ControlCall = [name: string, ...args: unknown[]];

export interface FakeControl extends EngineControl {
  calls: ControlCall[];
  /** The calls that ask the engine for something (every call but snapshot()). */
  commands(): ControlCall[];
  names(): string[];
}

/** An EngineControl that records every call; snapshot() returns `current()`. */
export function makeControl(current: () => Snapshot = () => makeSnapshot()): FakeControl {
  const calls: ControlCall[] = [];
  return {
    calls,
    commands: () => calls.filter((c) => c[0] !== 'snapshot'),
    names: () => calls.filter((c) => c[0] !== 'snapshot').map((c) => c[0]),
    pause: () => void calls.push(['pause']),
    resume: () => void calls.push(['resume']),
    setProcesses: (n: number) => void calls.push(['setProcesses', n]),
    retryFailed: () => void calls.push(['retryFailed']),
    drain: () => void calls.push(['drain']),
    cancel: () => void calls.push(['cancel']),
    snapshot: () => {
      calls.push(['snapshot']);
      return current();
    },
  };
}

/**
 * Yield to the event loop until `cond()` holds. Bounded by a deadline (not a
 * fixed sleep): returns as soon as the condition is met. Ink flushes a lone
 * Esc after a 20 ms timer, so a tick count alone is not enough.
 */
export async function waitFor(cond: () => boolean, what = 'condition', timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
