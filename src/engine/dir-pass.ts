// Final pass: one rsync per source over every directory it had (no recursion, no file data),
// so each directory in DST gets its source's mode, owner and mtime after the buckets' writes.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isRemote, type RunConfig } from './config.ts';
import { viaRoute } from './daemon-route.ts';
import { metaOf } from './dest-check.ts';
import type { DirList } from './dir-list.ts';
import { isRetryable, isSuccess } from './exit-codes.ts';
import { bucketArgs } from './rsync-args.ts';
import { filterArgs } from './filter.ts';
import { startRsync, type RsyncRun, type RsyncSpawn } from './rsync-process.ts';
import type { Stats } from './stats.ts';
import type { EngineEvent, Outcome } from './types.ts';
import type { WarmPass } from './warm-pass.ts';

export interface PassContext {
  cfg: RunConfig;
  runDir: string;
  stats: Stats;
  emit(e: EngineEvent): void;
  isCancelled(): boolean;
  /** Lets the engine signal the rsync running now (cancel). */
  setRun(r: RsyncRun | null): void;
  /** Starts the pass's rsync elsewhere (a worker host); default: here. */
  launch?: (s: RsyncSpawn) => RsyncRun;
  /** The first source's pass, started ahead and waiting for its list (warm-pass.ts). */
  warm?: WarmPass;
}

/**
 * What the pass adds to the user's options. It sets directory times exactly: rsync's default
 * window compares whole seconds, so a directory a bucket wrote into within the second of its
 * source's mtime (a re-run right after a change) kept the bucket's time, where one rsync
 * restores a directory's time after writing into it. A negative window counts nanoseconds
 * (receivers from 3.1.3; an older one sets every time); not when the user chose a window (-@,
 * --modify-window: e.g. 1 for FAT). And it never touches a file: `.` in its list brings the
 * root's own entries along (rsync -d copies what a directory named `.` holds), and files are the
 * buckets' (--ignore-existing skips what DST has, directories excepted).
 */
export function passOptions(userOpts: string[]): string[] {
  const window = userOpts.some((o) => /^--modify-window(=|$)/.test(o) || /^-[^-]*@/.test(o));
  return ['--no-recursive', '--ignore-existing', ...(window ? [] : ['--modify-window=-1'])];
}

/** The directory pass's argv for source `i`, its list read from `listFile` ('-': stdin). */
export function passArgv(cfg: RunConfig, i: number, listFile: string): string[] {
  // (the pass goes through the far end's daemon too, when it answered: remote-daemon.ts)
  const route = cfg.sshDaemon?.route(undefined, false);
  const via = route && viaRoute(route, cfg.sources[i], cfg.destination);
  return bucketArgs({
    userOpts: [...cfg.rsyncOpts, ...passOptions(cfg.rsyncOpts), ...(via ? [via.option] : [])],
    filters: filterArgs(cfg.filters),
    rsh: via ? via.rsh : cfg.rsh,
    listFile,
    base: via ? via.base : cfg.sources[i].base,
    destination: via ? via.destination : cfg.destination,
  });
}

/** Where the directory pass of source `i` logs. */
export const passLog = (runDir: string, i: number) => join(runDir, `dirs-${i}.log`);

/** Runs one rsync with the run's retry policy; null when cancelled. */
export async function runWithRetries(ctx: PassContext, argv: string[], logFile: string, onLine?: (l: string) => void): Promise<Outcome | null> {
  let outcome: Outcome | null = null;
  for (let attempt = 0; attempt <= ctx.cfg.retries && !ctx.isCancelled(); attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, ctx.cfg.backoffMs * 2 ** (attempt - 1)));
    const run = (ctx.launch ?? startRsync)({ rsync: ctx.cfg.rsyncPath, argv, logFile, onProgress: () => {}, onLine });
    ctx.setRun(run);
    outcome = await run.done;
    ctx.setRun(null);
    if (!isRetryable(outcome.kind)) break;
  }
  return ctx.isCancelled() ? null : outcome;
}

export async function runDirectoryPass(ctx: PassContext & { dirLists: DirList[] }): Promise<void> {
  for (let i = 0; i < ctx.dirLists.length && !ctx.isCancelled(); i++) {
    const list = ctx.dirLists[i];
    if (!list.count) continue;
    const outcome = (await warmOutcome(ctx, i, list.file)) ?? (await runWithRetries(ctx, passArgv(ctx.cfg, i, list.file), passLog(ctx.runDir, i)));
    if (!outcome) return;
    const ok = isSuccess(outcome.kind);
    if (!ok) ctx.stats.finalizeErrors++;
    ctx.emit({ type: 'finalize', step: `directory metadata (${list.count} dirs)`, ok, error: ok ? undefined : (outcome.firstError ?? outcome.meaning) });
  }
}

/** The pass that was started ahead, given its list: its outcome, or null to run the pass as usual (none waited, or it failed in a way a retry may mend). */
async function warmOutcome(ctx: PassContext, i: number, listFile: string): Promise<Outcome | null> {
  const run = i === 0 ? ctx.warm?.take(listFile) : null;
  if (!run) return null;
  ctx.setRun(run);
  const outcome = await run.done;
  ctx.setRun(null);
  return ctx.isCancelled() || isRetryable(outcome.kind) ? null : outcome;
}

/**
 * The directory pass can be left out when the buckets changed nothing in a local DST (no rsync
 * printed an item: each bucket's rsync already gave the directories on its paths their source's
 * metadata), the destination check saw no directory that DST lacks or has with other metadata
 * (entries it left out are on no bucket's path), and DST itself — which no bucket lists — already
 * has its source's mode, owner and mtime — mtime as rsync compares it (whole seconds, its default
 * --modify-window=0: a DST root a few ms off in the same second is left as it is by rsync too).
 * That is the common no-op re-run; anything else runs the pass.
 */
export function dirPassNeeded(cfg: RunConfig, stats: Stats, fresh: boolean): boolean {
  if (stats.itemsChanged || stats.deleted || stats.dirsDiffer || !fresh) return true;
  // a pull: the check compared every directory its listing holds, DST's own among them (pull-check.ts)
  if (cfg.sources.some((s) => isRemote(s.arg))) return !stats.pullChecked;
  // a DST on an ssh host: its listing showed DST itself and every directory as they should be
  // (the crawler counts DST's own metadata among dirsDiffer there), for one source
  if (isRemote(cfg.destination)) return !stats.destListed || cfg.sources.length !== 1;
  // DST takes the metadata of the last `src/` source (each source's pass sets it in turn)
  const roots = cfg.sources.filter((s) => s.prefix === '');
  if (!roots.length) return false;
  try {
    const a = metaOf(statSync(roots[roots.length - 1].base, { bigint: true }));
    const b = metaOf(statSync(cfg.destination, { bigint: true }));
    return !(a.mode === b.mode && a.mtimeS === b.mtimeS && a.uid === b.uid && a.gid === b.gid);
  } catch {
    return true;
  }
}
