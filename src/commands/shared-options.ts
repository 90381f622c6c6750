// --shared DIR (many-to-one): checked here; the plan itself lives in engine/shared-plan.ts.
import { resolve } from 'node:path';
import type { RunConfig } from '../engine/config.ts';
import { UsageError } from '../engine/errors.ts';
import type { ParsedArgs } from './parse-args.ts';

export function sharedOption(args: ParsedArgs, cfg: RunConfig): void {
  const dir = args.values.shared;
  if (dir === undefined) return;
  if (!dir) throw new UsageError('--shared needs a directory');
  if (args.values.state !== undefined) throw new UsageError('--shared and --state cannot be combined (the shared directory holds the plan)');
  if (args.flags.new || args.flags['retry-failed']) throw new UsageError(`--${args.flags.new ? 'new' : 'retry-failed'} cannot be combined with --shared`);
  if (cfg.dryRun) throw new UsageError('--dry-run cannot be combined with --shared (the plan would record buckets as done)');
  if (cfg.deleteOpts.length) throw new UsageError(`${cfg.deleteOpts[0]} cannot be combined with --shared`);
  cfg.shared = resolve(dir);
  // each coordinator's own state is ephemeral: the shared plan is what survives a crash
  cfg.stateDir = undefined;
}
