// Shared engine types. The engine is UI-free: the TUI and the headless reporter
// both consume EngineEvent values and periodic Snapshot objects.

/** What a crawled entry is. Directories are only listed when empty. */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block';

export interface Entry {
  /** Path relative to the source's base directory, raw bytes (names need not be UTF-8). */
  path: Buffer;
  kind: EntryKind;
  /** Bytes this entry accounts for (file size; 0 for everything else). */
  size: number;
  ino: number;
  dev: number;
  nlink: number;
  /** The same path as a latin1 string (one char per byte), when the crawler has it. */
  rel?: string;
}

/** One source as rsync sees it: `base/` plus relative paths below it. */
export interface SourceRoot {
  /** The argument as the user typed it. */
  arg: string;
  /** Directory given to rsync as the transfer root (always ends with '/'). */
  base: string;
  /** Relative path inside base to crawl ('' for a `src/` source, 'src' for a `src` source). */
  prefix: string;
}

export interface Bucket {
  id: number;
  /** Index into the run's sources. */
  source: number;
  /** NUL-separated list file (paths relative to the source base). */
  listFile: string;
  logFile: string;
  files: number;
  bytes: number;
  /** How many times it has been attempted so far. */
  attempts: number;
  /** Retries allowed for this bucket (halves of a split bucket get fewer); default: the run's. */
  maxRetries?: number;
  /** The worker host of its current or last attempt (--workers). */
  worker?: string;
}

/** Typed result of one rsync exit (house rule 3). */
export type OutcomeKind =
  | 'ok'
  | 'partial' // 23
  | 'vanished' // 24: some source files vanished; a warning
  | 'retryable' // 10, 12, 30, 35, 255: network / protocol timeouts
  | 'cancelled' // 20 or killed by a signal
  | 'no-space' // ENOSPC seen in rsync's output
  | 'fatal';

export interface Outcome {
  kind: OutcomeKind;
  exitCode: number | null;
  signal?: string;
  /** Human meaning of the exit code (rsync's table). */
  meaning: string;
  /** First error line rsync printed, if any. */
  firstError?: string;
  /** From rsync's --stats block: regular files transferred and bytes sent on the wire. */
  transferred?: number;
  bytesSent?: number;
  /** Lines other than progress and statistics rsync printed: items it created or changed (name1). */
  items?: number;
}

/** Live state of one running rsync, for the TUI rows and JSON progress. */
export interface WorkerSnapshot {
  slot: number;
  bucket: number;
  worker?: string;
  files: number;
  filesDone: number;
  bytes: number;
  bytesDone: number;
  bytesPerSec: number;
  /** Recent rate samples (bytes/s), oldest first, for a sparkline. */
  history: number[];
  currentFile: string;
  startedAt: number;
  attempt: number;
}

export interface FailureSnapshot {
  bucket: number;
  /** Index of the source the bucket's paths are relative to. */
  source?: number;
  files: number;
  bytes: number;
  exitCode: number | null;
  kind: OutcomeKind;
  meaning: string;
  firstError: string;
  logFile: string;
  attempts: number;
}

/** Everything a consumer needs to draw one frame; published a few times a second. */
export interface Snapshot {
  sources: string[];
  destination: string;
  startedAt: number;
  now: number;
  elapsedMs: number;
  /** Estimated milliseconds left, or null when unknown. */
  etaMs: number | null;
  crawlDone: boolean;
  crawlErrors: number;
  /** Entries and bytes found so far (the totals once the crawl is done). */
  filesTotal: number;
  bytesTotal: number;
  filesDone: number;
  bytesDone: number;
  bytesPerSec: number;
  filesPerSec: number;
  buckets: {
    total: number;
    queued: number;
    running: number;
    done: number;
    failed: number;
    retried: number;
    skipped: number;
  };
  processes: number;
  paused: boolean;
  /** 'running' | 'draining' (graceful quit asked) | 'cancelling' | 'held' (all ran, some failed:
   *  waiting for retry or quit — TUI only) | 'done' */
  phase: 'running' | 'draining' | 'cancelling' | 'held' | 'done';
  workers: WorkerSnapshot[];
  failures: FailureSnapshot[];
}

/** Typed events emitted by the engine. The JSON reporter writes them as lines. */
export type EngineEvent =
  | { type: 'start'; processes: number; sources: string[]; destination: string; dryRun: boolean; bucketDir: string; stateDir?: string }
  | { type: 'crawl-error'; path: string; error: string; vanished: boolean }
  | { type: 'crawl-done'; files: number; bytes: number; elapsedMs: number }
  | { type: 'bucket-start'; bucket: number; files: number; bytes: number; attempt: number; slot: number; worker?: string }
  | { type: 'bucket-done'; bucket: number; files: number; bytes: number; exitCode: number; elapsedMs: number; warning?: string; worker?: string }
  | { type: 'bucket-retry'; bucket: number; exitCode: number | null; error: string; attempt: number; delayMs: number }
  | {
      type: 'bucket-failed';
      bucket: number;
      files: number;
      bytes: number;
      exitCode: number | null;
      kind: OutcomeKind;
      meaning: string;
      error: string;
      logFile: string;
      worker?: string;
    }
  | { type: 'delete'; path: string; dryRun: boolean }
  | { type: 'worker-down'; worker: string; error: string }
  | { type: 'shared'; role: 'crawler' | 'joiner'; host: string; note: string }
  | { type: 'bucket-requeued'; bucket: number; worker: string; error: string }
  | { type: 'bucket-split'; bucket: number; into: number[]; exitCode: number | null; error: string }
  | { type: 'resume'; stateDir: string; skippedBuckets: number; pendingBuckets: number; listedBefore: number }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'processes'; processes: number }
  | { type: 'finalize'; step: string; ok: boolean; error?: string };

/** Controls a consumer (TUI keys, signals) can use on a running engine. */
export interface EngineControl {
  pause(): void;
  resume(): void;
  setProcesses(n: number): void;
  retryFailed(): void;
  /** Stop dispatching new buckets, let running ones finish. */
  drain(): void;
  /** Stop everything now (kills running rsyncs). */
  cancel(): void;
  snapshot(): Snapshot;
}
