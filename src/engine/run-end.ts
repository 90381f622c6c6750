// The end of a run, after its buckets: the final passes (--delete, only when safe, then the
// directory-metadata pass), then its summary, failed-path lists and journal end, and its bucket
// directory removed when the run was clean (unless --keep).
import { rmSync } from 'node:fs';
import { deleteBlocker, runDeletePass } from './delete-pass.ts';
import { deletePassNeeded } from './dest-extras.ts';
import type { DirList } from './dir-list.ts';
import { dirPassNeeded, runDirectoryPass, type PassContext } from './dir-pass.ts';
import type { RunConfig } from './config.ts';
import { writeFailedPaths } from './failed-paths.ts';
import type { RunState } from './run-state.ts';
import type { Stats } from './stats.ts';
import { buildSummary, type Summary } from './summary.ts';
import type { Supervisor } from './supervisor.ts';

/** After the buckets: --delete (only when safe), then the directory-metadata pass. */
export async function runFinalPasses(ctx: PassContext, o: { supervisor: Supervisor; state: RunState | null; shared: boolean; dirLists: DirList[] }): Promise<void> {
  const blocker = deleteBlocker({
    failedBuckets: o.supervisor.failed().length,
    crawlErrors: ctx.stats.crawlErrors,
    leftover: o.supervisor.leftover().length,
    halted: o.supervisor.haltReason(),
  });
  const fresh = !!o.state && !o.state.resumed && !ctx.cfg.retryFailed && !o.shared;
  if (ctx.cfg.deleteOpts.length) await runDeletePass(ctx, blocker, deletePassNeeded(ctx.stats, fresh));
  const needed = !o.state || dirPassNeeded(ctx.cfg, ctx.stats, fresh);
  if (!blocker && !ctx.cfg.dryRun && !ctx.isCancelled() && needed) await runDirectoryPass({ ...ctx, dirLists: o.dirLists });
}

export interface RunEnd {
  cfg: RunConfig;
  stats: Stats;
  supervisor: Supervisor;
  state: RunState;
  /** The state is an ephemeral one (dry runs, embedded uses): no failed-path lists, and a clean run removes it whole. */
  ephemeral: boolean;
  runDir: string;
  cancelled: boolean;
}

/** The run's summary, once its failed-path lists and journal end are written and its bucket directory is kept or removed. */
export function endRun(o: RunEnd): Summary {
  const { cfg, state, ephemeral } = o;
  const summary = buildSummary(o.stats, o.supervisor, {
    cancelled: o.cancelled,
    dryRun: cfg.dryRun,
    runDir: o.runDir,
    sshRttMs: cfg.sshRttMs,
    sshSessionMs: cfg.sshSessionMs,
    daemon: cfg.sshDaemon ? { routed: cfg.sshDaemon.routed, reason: cfg.sshDaemon.reason } : undefined,
  });
  if (!ephemeral) writeFailedPaths(state.paths, summary, cfg.sources.length);
  state.end(summary);
  const clean = summary.failedBuckets === 0 && summary.leftoverBuckets === 0 && summary.exitCode === 0;
  if (!cfg.keep && clean) rmSync(ephemeral ? state.paths.dir : o.runDir, { recursive: true, force: true });
  else summary.keptDir = o.runDir;
  if (!ephemeral) summary.stateDir = state.paths.dir;
  return summary;
}
