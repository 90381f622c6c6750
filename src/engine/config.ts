// The run's configuration, and rsync's SRC/DST path semantics.
import { basename, dirname } from 'node:path';
import type { FilterSpec } from './filter.ts';
import type { RemoteDaemon } from './remote-daemon.ts';
import type { DestIndex } from './remote-dest.ts';
import type { SourceListing } from './source-listing.ts';
import type { SourceRoot } from './types.ts';

export interface RunConfig {
  sources: SourceRoot[];
  destination: string;
  processes: number;
  maxFiles: number;
  maxBytes: number;
  /** The user's rsync options (already split into words). */
  rsyncOpts: string[];
  rsh?: string;
  /** Worker hosts (--workers): each bucket runs as `ssh HOST rsync …` there (workers.ts). */
  workers?: string[];
  /** Private directory of the shared ssh connections' sockets (ssh-control.ts). */
  sshControlDir?: string;
  /** --shared DIR: coordinators on several hosts share one plan there (shared-plan.ts). */
  shared?: string;
  retries: number;
  /** First retry delay; doubles each attempt. */
  backoffMs: number;
  dryRun: boolean;
  /** Parent directory for the run's bucket lists and logs (default: the system temp dir). */
  bucketDir?: string;
  keep: boolean;
  rsyncPath: string;
  /** State directory (journal, lists, logs): resume after a crash. Unset: ephemeral temp dir. */
  stateDir?: string;
  /**
   * The root the derived state directories live in (not with --state DIR): at a run's start,
   * the state of commands whose last run ended clean more than stateDays ago is pruned there.
   */
  stateRoot?: string;
  /** Days a clean run's state is kept (--state-days, 0 = forever; default 30, state-retention.ts). */
  stateDays?: number;
  /** Discard earlier state (--new). */
  fresh?: boolean;
  /** Run only the paths that failed last time (--retry-failed). */
  retryFailed?: boolean;
  /** When every bucket ran but some failed, wait for retryFailed() or drain() (interactive use). */
  holdOnFailure?: boolean;
  /** Test hook: slow the crawl down (ms per directory). */
  crawlDelayMs?: number;
  /** Sync exactly the entries of this manifest (rsync --files-from semantics, see manifest.ts). */
  filesFrom?: { file: string; from0: boolean };
  /** Include/exclude rules, in order (applied by the crawler and passed to rsync). */
  filters: FilterSpec[];
  oneFileSystem: boolean;
  /** The user's --delete* options: empty = no deletion. Never used per bucket. */
  deleteOpts: string[];
  /** Leave out entries a local DST already has as rsync would leave them (dest-check.ts); off with --no-dest-check. */
  destCheck?: boolean;
  /**
   * The pre-flight's listing of a DST on an ssh host, for the destination check (null: it could
   * not be had whole; undefined: not taken, e.g. DST did not exist and the pre-flight made it).
   */
  destIndex?: DestIndex | null;
  /** The same, still arriving (ssh-stream.ts): the crawl reads SRC meanwhile (feed.ts sets destIndex). */
  destListing?: Promise<DestIndex | null>;
  /** A remote SRC's listing the pre-flight started (its first record was the check): the crawl takes it over. */
  sourceListing?: SourceListing;
  /**
   * The round trip (ms) of the shared ssh connection to the remote SRC or DST, timed by the
   * pre-flight (link-echo.ts); null or unset: not known. slot-ssh.ts decides from it.
   */
  sshRttMs?: number | null;
  /** How long that timed session took to start on the host (ms, session-cost.ts); null or unset: not known. */
  sshSessionMs?: number | null;
  /** The session-free route of a push or pull to its ssh host (remote-daemon.ts), once the pre-flight started it. */
  sshDaemon?: RemoteDaemon;
}

/**
 * rsync's trailing-slash rule: `src/` (or `.`) transfers the contents of src; `src` transfers
 * src itself, i.e. base = its parent and every listed path starts with `src/`.
 */
export function sourceRoot(arg: string): SourceRoot {
  const name = basename(arg);
  if (arg.endsWith('/') || name === '.' || name === '..' || arg === '') {
    return { arg, base: arg.endsWith('/') ? arg : `${arg}/`, prefix: '' };
  }
  const parent = dirname(arg);
  return { arg, base: parent.endsWith('/') ? parent : `${parent}/`, prefix: name };
}

/** rsync's rule: a colon before the first slash means host:path (or host::module). */
export function isRemote(path: string): boolean {
  const colon = path.indexOf(':');
  if (colon < 0) return false;
  const slash = path.indexOf('/');
  return slash < 0 || colon < slash;
}

/**
 * Default cap on entries per bucket (-f): msrsync's 1000, part of the command-line contract.
 * Buckets are also cut by demand and by plan (bucketer.ts); whole directories count as their entries.
 */
export const DEFAULT_MAX_FILES = 1000;
/**
 * …and when buckets run over ssh (SRC or DST host:path, or worker hosts), where each bucket is a
 * remote session (remote.ts overSsh: ssh channel, the remote shell's start-up files, a second rsync start-up): a
 * 20k-file copy to host:DST (on tmpfs, -p 4) took 4.4–4.6 s in 21 buckets and 3.7 s in 9. (Fewer
 * still, by planning pieces that shrink less, made the WAN row's tail longer: 1.4 → 2.1 s.)
 */
export const REMOTE_MAX_FILES = 10_000;

/**
 * The default -f: REMOTE_MAX_FILES over ssh, and with one rsync at a time (-p 1, not --shared):
 * one slot has nothing to balance, and every bucket is an rsync start, its pipeline filling and
 * its wind-down, which one rsync pays once (a 20k-file copy into RAM, -p 1: 20 buckets 3.0 s, 2
 * buckets 2.05 s, one rsync 1.65 s).
 */
export function defaultMaxFiles(o: { overSsh: boolean; processes: number; shared: boolean }): number {
  return o.overSsh || (o.processes === 1 && !o.shared) ? REMOTE_MAX_FILES : DEFAULT_MAX_FILES;
}

/** Default parallelism: one rsync per core plus two (rsync waits on I/O), between 2 and 8. */
export function defaultProcesses(cores: number): number {
  return Math.min(8, Math.max(2, cores + 2));
}

/** A complete RunConfig from the parts that differ (tests, selftest, embedding). */
export function makeRunConfig(part: Pick<RunConfig, 'sources' | 'destination'> & Partial<RunConfig>): RunConfig {
  return {
    processes: 2,
    maxFiles: DEFAULT_MAX_FILES,
    maxBytes: 1024 ** 3,
    rsyncOpts: ['-aS', '--numeric-ids'],
    retries: 2,
    backoffMs: 1000,
    dryRun: false,
    keep: false,
    rsyncPath: 'rsync',
    filters: [],
    oneFileSystem: false,
    deleteOpts: [],
    destCheck: true,
    ...part,
  };
}
