// rclone-style accounting: plain counters updated by the engine, rates sampled on a timer,
// and a Snapshot built on demand for consumers (TUI store, headless progress lines).
import { HISTORY, type LiveWorker } from './live-worker.ts';
import type { Bucket, FailureSnapshot, Outcome, Snapshot, WorkerSnapshot } from './types.ts';

export class Stats {
  startedAt = Date.now();
  crawlDone = false;
  crawlMs = 0;
  crawlErrors = 0;
  crawlWarnings = 0;
  /** Failures of the final directory-metadata pass. */
  finalizeErrors = 0;
  filesTotal = 0;
  bytesTotal = 0;
  /** Files and bytes of buckets that finished (ok, vanished or skipped). */
  filesDone = 0;
  bytesDone = 0;
  /** Regular files rsync actually transferred and bytes it sent (from its --stats). */
  filesTransferred = 0;
  bytesSent = 0;
  deleted = 0;
  /** Entries (and their bytes) left out because DST already had them (dest-check.ts); counted as done. */
  filesSame = 0;
  bytesSame = 0;
  /** Directories DST lacked or had with other metadata, seen by the destination check. */
  dirsDiffer = 0;
  /** The crawl listed each DST twin for names SRC lacks (dest-extras.ts), and found this many holding some. */
  extrasKnown = false;
  /** Every source is a pull whose listing was checked against DST, directories included (pull-check.ts). */
  pullChecked = false;
  destExtras = 0;
  /** Buckets done with rsync's exit 24: source files vanished since the crawl. */
  vanished = 0;
  /** Entries in the listing of a DST on an ssh host the check compared with (0: none). */
  destListed = 0;
  /** Items the buckets' rsyncs reported as created or changed (0: the run changed nothing). */
  itemsChanged = 0;
  /** Over ssh (not --workers): the shared connections the buckets' rsyncs used (slot-ssh.ts), 0 when none. */
  sshConnections = 0;
  /** When a worker first had nothing left to do (every bucket handed out), and when the last bucket ended. */
  firstIdleAt?: number;
  bucketsEndAt?: number;
  bucketsTotal = 0;
  queued = 0;
  done = 0;
  failed = 0;
  retried = 0;
  skipped = 0;
  processes = 1;
  paused = false;
  phase: Snapshot['phase'] = 'running';
  workers = new Map<number, LiveWorker>();
  failures: FailureSnapshot[] = [];
  rate = 0;
  fileRate = 0;
  private lastSample = { at: Date.now(), bytes: 0, files: 0 };

  constructor(
    readonly sources: string[],
    readonly destination: string,
  ) {}

  /** Bytes done including the live progress of running rsyncs. */
  bytesSoFar(): number {
    let live = 0;
    for (const w of this.workers.values()) live += Math.min(w.bytesDone, w.bytes || w.bytesDone);
    return this.bytesDone + live;
  }

  filesSoFar(): number {
    let live = 0;
    for (const w of this.workers.values()) live += w.filesDone;
    return this.filesDone + live;
  }

  /**
   * A bucket landed; with its rsync's own counts (files it transferred, bytes it sent) when it ran
   * here (--shared: one another coordinator ran has none).
   */
  bucketDone(b: Bucket, o?: Pick<Outcome, 'transferred' | 'bytesSent' | 'kind'>): void {
    this.done++;
    if (o?.kind === 'vanished') this.vanished++;
    this.filesDone += b.files;
    this.bytesDone += b.bytes;
    this.filesTransferred += o?.transferred ?? 0;
    this.bytesSent += o?.bytesSent ?? 0;
  }

  /** A bucket failed for good. */
  bucketFailed(failure: FailureSnapshot): void {
    this.failed++;
    this.failures = [...this.failures, failure];
  }

  /** Called on a timer (not per child event): updates per-worker and total rates. */
  sample(now = Date.now()): void {
    for (const w of this.workers.values()) {
      const dt = (now - w.lastAt) / 1000;
      if (dt <= 0) continue;
      const inst = Math.max(0, (w.bytesDone - w.lastBytes) / dt);
      w.rate = w.history.length ? w.rate * 0.5 + inst * 0.5 : inst;
      w.history = [...w.history.slice(-(HISTORY - 1)), inst];
      w.lastBytes = w.bytesDone;
      w.lastAt = now;
    }
    const dt = (now - this.lastSample.at) / 1000;
    if (dt <= 0) return;
    const bytes = this.bytesSoFar();
    const files = this.filesSoFar();
    const inst = Math.max(0, (bytes - this.lastSample.bytes) / dt);
    const instFiles = Math.max(0, (files - this.lastSample.files) / dt);
    // smooth over a few seconds so the ETA does not jump around
    this.rate = this.rate ? this.rate * 0.7 + inst * 0.3 : inst;
    this.fileRate = this.fileRate ? this.fileRate * 0.7 + instFiles * 0.3 : instFiles;
    this.lastSample = { at: now, bytes, files };
  }

  snapshot(now = Date.now()): Snapshot {
    const bytesDone = this.bytesSoFar();
    const filesDone = this.filesSoFar();
    const elapsedMs = now - this.startedAt;
    let etaMs: number | null = null;
    if (this.crawlDone && this.rate > 0) etaMs = Math.max(0, ((this.bytesTotal - bytesDone) / this.rate) * 1000);
    const workers: WorkerSnapshot[] = [...this.workers.values()]
      .sort((a, b) => a.slot - b.slot)
      .map((w) => ({
        slot: w.slot,
        bucket: w.bucket,
        worker: w.worker,
        files: w.files,
        filesDone: w.filesDone,
        bytes: w.bytes,
        bytesDone: Math.min(w.bytesDone, w.bytes || w.bytesDone),
        bytesPerSec: w.rate,
        history: w.history,
        currentFile: w.currentFile,
        startedAt: w.startedAt,
        attempt: w.attempt,
      }));
    return {
      sources: this.sources,
      destination: this.destination,
      startedAt: this.startedAt,
      now,
      elapsedMs,
      etaMs,
      crawlDone: this.crawlDone,
      crawlErrors: this.crawlErrors,
      filesTotal: this.filesTotal,
      bytesTotal: this.bytesTotal,
      filesDone,
      bytesDone,
      bytesPerSec: this.rate,
      filesPerSec: this.fileRate,
      buckets: {
        total: this.bucketsTotal,
        queued: this.queued,
        running: this.workers.size,
        done: this.done,
        failed: this.failed,
        retried: this.retried,
        skipped: this.skipped,
      },
      processes: this.processes,
      paused: this.paused,
      phase: this.phase,
      workers,
      failures: this.failures,
    };
  }
}
