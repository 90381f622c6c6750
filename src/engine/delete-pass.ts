// --delete, done once for the whole tree and only when it is safe: after every bucket succeeded
// and the crawl saw no error. One rsync with the run's own options and filter rules plus
// `--existing --ignore-existing` transfers nothing and removes exactly what `rsync -a --delete`
// would remove (excluded paths are protected unless --delete-excluded).
import { join } from 'node:path';
import { runWithRetries, type PassContext } from './dir-pass.ts';
import { isSuccess } from './exit-codes.ts';
import { filterArgs } from './filter.ts';
import { withSlash } from './rsync-args.ts';

const DELETING = /^deleting (.*)$/;

export function deleteArgs(ctx: PassContext): string[] {
  const cfg = ctx.cfg;
  const argv = [...cfg.rsyncOpts, ...filterArgs(cfg.filters), ...cfg.deleteOpts, '--recursive', '--existing', '--ignore-existing', '--info=del1'];
  if (cfg.rsh) argv.push(`--rsh=${cfg.rsh}`);
  if (cfg.dryRun) argv.push('--dry-run');
  argv.push(...cfg.sources.map((s) => s.base + s.prefix), withSlash(cfg.destination));
  return argv;
}

/** Why deleting now would be unsafe, or null when it is fine. */
export function deleteBlocker(o: { failedBuckets: number; crawlErrors: number; leftover: number; halted: string | null }): string | null {
  if (o.crawlErrors) return `the crawl had ${o.crawlErrors} error(s): a partial listing must not decide what to delete`;
  if (o.failedBuckets) return `${o.failedBuckets} bucket(s) failed`;
  if (o.halted) return o.halted;
  if (o.leftover) return `${o.leftover} bucket(s) never ran`;
  return null;
}

/** `needed`: false when the crawl showed DST holds nothing SRC lacks (dest-extras.ts): no rsync then. */
export async function runDeletePass(ctx: PassContext, blocker: string | null, needed = true): Promise<void> {
  if (blocker) {
    ctx.stats.finalizeErrors++;
    ctx.emit({ type: 'finalize', step: 'delete', ok: false, error: `nothing deleted: ${blocker}` });
    return;
  }
  if (!needed) {
    ctx.emit({ type: 'finalize', step: `delete (0 ${ctx.cfg.dryRun ? 'would be ' : ''}deleted: DST holds nothing SRC lacks)`, ok: true });
    return;
  }
  const outcome = await runWithRetries(ctx, deleteArgs(ctx), join(ctx.runDir, 'delete.log'), (line) => {
    const m = DELETING.exec(line);
    if (!m) return;
    ctx.stats.deleted++;
    ctx.emit({ type: 'delete', path: m[1], dryRun: ctx.cfg.dryRun });
  });
  if (!outcome) return;
  const ok = isSuccess(outcome.kind);
  if (!ok) ctx.stats.finalizeErrors++;
  ctx.emit({ type: 'finalize', step: `delete (${ctx.stats.deleted} ${ctx.cfg.dryRun ? 'would be ' : ''}deleted)`, ok, error: ok ? undefined : (outcome.firstError ?? outcome.meaning) });
}
