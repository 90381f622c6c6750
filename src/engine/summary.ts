// The run's final summary (JSON `summary` event, --stats block, exit code).
import type { Stats } from './stats.ts';
import type { Supervisor } from './supervisor.ts';

export interface FailedBucketInfo {
  bucket: number;
  source: number;
  files: number;
  listFile: string;
  logFile: string;
  exitCode: number | null;
  error: string;
}

export interface Summary {
  status: 'ok' | 'failed' | 'cancelled' | 'dry-run';
  exitCode: number;
  /** Entries and bytes of buckets that finished. */
  files: number;
  bytes: number;
  filesTotal: number;
  bytesTotal: number;
  /** Regular files rsync transferred (the rest were already up to date) and bytes it sent. */
  filesTransferred: number;
  bytesSent: number;
  /** Entries (and bytes) the destination check found already in DST as rsync would leave them: no rsync saw them. */
  filesUnchanged: number;
  bytesUnchanged: number;
  /** Entries removed from DST by --delete (or that would be, with --dry-run). */
  deleted: number;
  buckets: number;
  failedBuckets: number;
  skippedBuckets: number;
  leftoverBuckets: number;
  retried: number;
  crawlErrors: number;
  crawlWarnings: number;
  elapsedMs: number;
  crawlMs: number;
  /** The tail: from the first worker left with nothing to do (all buckets handed out) to the last bucket's end. */
  tailMs: number;
  failures: FailedBucketInfo[];
  /**
   * A remote SRC or DST over ssh: the link's round trip the pre-flight timed and how long its
   * session took to start (ms, null: not timed; session-cost.ts), and the shared connections the
   * buckets used (slot-ssh.ts); how many buckets went through the far end's daemon instead of
   * sessions (remote-daemon.ts), and why none did when none did.
   */
  ssh?: { rttMs: number | null; sessionMs: number | null; connections: number; daemonBuckets?: number; daemonOff?: string };
  haltReason?: string;
  keptDir?: string;
  /** The run's state directory (journal, failed-path lists), when it has one. */
  stateDir?: string;
}

/** A time in ms to 0.01 ms, or null. */
const ms = (t: number | null | undefined): number | null => (t === undefined || t === null ? null : Math.round(t * 100) / 100);

export function buildSummary(stats: Stats, sup: Supervisor, o: { cancelled: boolean; dryRun: boolean; runDir: string; sshRttMs?: number | null; sshSessionMs?: number | null; daemon?: { routed: number; reason: string | null } }): Summary {
  const failures = stats.failures.map((f) => ({
    bucket: f.bucket,
    source: f.source ?? 0,
    files: f.files,
    listFile: f.logFile.replace(/\.log$/, '.list'),
    logFile: f.logFile,
    exitCode: f.exitCode,
    error: f.firstError,
  }));
  const failed = failures.length > 0 || stats.crawlErrors > 0 || stats.finalizeErrors > 0 || sup.haltReason() !== null;
  // buckets left unrun after a graceful quit: interrupted, not complete
  const interrupted = o.cancelled || (!failed && sup.leftover().length > 0);
  const exitCode = interrupted ? 130 : failed ? 1 : 0;
  return {
    status: interrupted ? 'cancelled' : failed ? 'failed' : o.dryRun ? 'dry-run' : 'ok',
    exitCode,
    files: stats.filesDone,
    bytes: stats.bytesDone,
    filesTotal: stats.filesTotal,
    bytesTotal: stats.bytesTotal,
    filesTransferred: stats.filesTransferred,
    bytesSent: stats.bytesSent,
    filesUnchanged: stats.filesSame,
    bytesUnchanged: stats.bytesSame,
    deleted: stats.deleted,
    buckets: stats.bucketsTotal,
    failedBuckets: failures.length,
    skippedBuckets: stats.skipped,
    leftoverBuckets: sup.leftover().length,
    retried: stats.retried,
    crawlErrors: stats.crawlErrors,
    crawlWarnings: stats.crawlWarnings,
    elapsedMs: Date.now() - stats.startedAt,
    crawlMs: stats.crawlMs,
    tailMs: stats.firstIdleAt !== undefined && stats.bucketsEndAt !== undefined ? Math.max(0, stats.bucketsEndAt - stats.firstIdleAt) : 0,
    failures,
    ...(stats.sshConnections ? { ssh: { rttMs: ms(o.sshRttMs), sessionMs: ms(o.sshSessionMs), connections: stats.sshConnections, ...daemonFields(o.daemon) } } : {}),
    haltReason: sup.haltReason() ?? undefined,
  };
}

function daemonFields(d: { routed: number; reason: string | null } | undefined) {
  if (!d) return {};
  return d.routed || !d.reason ? { daemonBuckets: d.routed } : { daemonBuckets: 0, daemonOff: d.reason };
}
