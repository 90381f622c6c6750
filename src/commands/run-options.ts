// ParsedArgs → RunConfig, with every value checked (UsageError, exit 2).
import { accessSync, constants, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { defaultMaxFiles, defaultProcesses, isRemote, sourceRoot, type RunConfig } from '../engine/config.ts';
import { overSsh, remoteSourceRoot } from '../engine/remote.ts';
import { workerHosts } from './worker-options.ts';
import { sharedOption } from './shared-options.ts';
import { defaultStateDir } from '../engine/state.ts';
import { DEFAULT_STATE_DAYS } from '../engine/state-retention.ts';
import { UsageError } from '../engine/errors.ts';
import { reservedOption, splitOptions, withSlash } from '../engine/rsync-args.ts';
import { liftTreeOptions } from './tree-options.ts';
import { parsePositiveInt, parseSize } from '../engine/units.ts';
import type { ParsedArgs } from './parse-args.ts';

export const DEFAULT_RSYNC_OPTS = '-aS --numeric-ids';

function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
}

export function runConfig(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const v = args.values;
  const processes = v.processes !== undefined ? checked(() => parsePositiveInt(v.processes, 'process count (-p)')) : defaultProcesses(cpus().length);
  if (processes > 256) throw new UsageError(`invalid process count (-p) '${v.processes}' (at most 256)`);
  const maxFiles = v.files !== undefined ? checked(() => parsePositiveInt(v.files, 'entries per bucket (-f)')) : undefined;
  const maxBytes = v.size !== undefined ? checked(() => parseSize(v.size)) : 1024 ** 3;
  if (v.retries !== undefined && !/^\d{1,3}$/.test(v.retries)) throw new UsageError(`invalid retry count '${v.retries}' (expected 0 to 999)`);
  const retries = v.retries !== undefined ? Number(v.retries) : 2;
  const rsyncOpts = checked(() => splitOptions(v.rsync ?? DEFAULT_RSYNC_OPTS));
  const reserved = reservedOption(rsyncOpts);
  if (reserved) throw new UsageError(`rsync option ${reserved} is managed by multisync and cannot be passed with --rsync`);
  const { opts, deleteOpts, filters, oneFileSystem } = checked(() => liftTreeOptions(rsyncOpts, args));
  // (the remote shell is split into words the way rsync splits it: an empty one names no program)
  if (v.rsh !== undefined && !checked(() => splitOptions(v.rsh!, 'the remote shell (-e)')).length) throw new UsageError('the remote shell (-e) is empty');
  if (args.positionals.length < 2) {
    throw new UsageError(args.positionals.length ? 'missing DST: give at least one SRC and a DST' : 'missing SRC and DST (see --help)');
  }
  const dst = args.positionals[args.positionals.length - 1];
  if (!dst) throw new UsageError('DST must not be empty');
  const filesFrom = filesFromOption(args, deleteOpts);
  const sources = args.positionals.slice(0, -1).map((s) => {
    if (!s) throw new UsageError('SRC must not be empty');
    // with --files-from, SRC is the directory the names are relative to, slash or not (as rsync)
    return filesFrom ? { arg: s, base: withSlash(s), prefix: '' } : isRemote(s) ? remoteSourceRoot(s) : sourceRoot(s);
  });
  const workers = workerHosts(args);
  const cfg: RunConfig = {
    sources,
    destination: dst,
    processes,
    maxFiles: maxFiles ?? defaultMaxFiles({ overSsh: overSsh({ sources, destination: dst, workers }), processes, shared: args.values.shared !== undefined }),
    maxBytes,
    rsyncOpts: opts,
    filters,
    oneFileSystem,
    deleteOpts,
    rsh: v.rsh,
    workers,
    retries,
    backoffMs: env.MULTISYNC_BACKOFF_MS ? Number(env.MULTISYNC_BACKOFF_MS) : 1000,
    dryRun: !!args.flags['dry-run'],
    bucketDir: v.buckets,
    keep: !!(args.flags.keep || args.flags.show),
    rsyncPath: env.MULTISYNC_RSYNC || 'rsync',
    filesFrom,
    destCheck: !args.flags['no-dest-check'],
  };
  if (args.flags.new && args.flags['retry-failed']) throw new UsageError('--new and --retry-failed cannot be combined (--retry-failed needs the last run\'s state)');
  cfg.fresh = !!args.flags.new;
  cfg.retryFailed = !!args.flags['retry-failed'];
  if (cfg.retryFailed && cfg.dryRun) throw new UsageError('--retry-failed cannot be combined with --dry-run');
  cfg.stateDir = v.state ? resolve(v.state) : defaultStateDir(cfg, v.buckets ? { ...env, XDG_STATE_HOME: resolve(v.buckets) } : env);
  if (!v.state) cfg.stateRoot = dirname(cfg.stateDir);
  const days = v['state-days'];
  if (days !== undefined && !/^\d{1,5}$/.test(days)) throw new UsageError(`invalid --state-days '${days}' (expected 0 to 99999)`);
  cfg.stateDays = days !== undefined ? Number(days) : DEFAULT_STATE_DAYS;
  if (env.MULTISYNC_TEST_CRAWL_DELAY_MS) cfg.crawlDelayMs = Number(env.MULTISYNC_TEST_CRAWL_DELAY_MS);
  sharedOption(args, cfg);
  return cfg;
}

/** --files-from FILE [--from0]: one SRC, a readable file, no deletion (the rest of DST is other machines' work). */
function filesFromOption(args: ParsedArgs, deleteOpts: string[]): RunConfig['filesFrom'] {
  const file = args.values['files-from'];
  if (file === undefined) {
    if (args.flags.from0) throw new UsageError('--from0 only applies to a --files-from list');
    return undefined;
  }
  if (args.positionals.length !== 2) throw new UsageError('--files-from takes exactly one SRC (the directory its names are relative to) and a DST');
  if (deleteOpts.length) throw new UsageError(`${deleteOpts[0]} cannot be combined with --files-from (it would delete what other manifests copy)`);
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`--files-from ${file} is a directory, not a list`);
    accessSync(file, constants.R_OK);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read --files-from ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { file, from0: !!args.flags.from0 };
}
