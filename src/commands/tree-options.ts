// Options that act on the whole tree, not on one bucket: --delete*, include/exclude rules and
// -x. They may come as multisync options or inside --rsync OPTS; either way they are lifted out
// so the crawler applies the rules, and deletion happens once, after every bucket succeeded.
import { UsageError } from '../engine/errors.ts';
import { readFilterFile, type FilterSpec } from '../engine/filter.ts';
import { hasFlag } from '../engine/rsync-args.ts';
import type { ParsedArgs } from './parse-args.ts';

const DELETE = /^--(del|delete|delete-(before|during|delay|after|excluded|missing-args)|force-delete)$/;

function filterFile(file: string): FilterSpec[] {
  try {
    return readFilterFile(file);
  } catch (err) {
    throw new UsageError(`cannot read exclude file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function liftTreeOptions(rsyncOpts: string[], args: ParsedArgs) {
  const opts: string[] = [];
  const deleteOpts: string[] = [];
  const filters: FilterSpec[] = [];
  for (let i = 0; i < rsyncOpts.length; i++) {
    const o = rsyncOpts[i];
    const m = /^--(exclude|include|exclude-from)(?:=(.*))?$/s.exec(o);
    if (DELETE.test(o)) deleteOpts.push(o);
    else if (/^--(remove-source-files|filter|include-from)(=|$)/.test(o) || /^-[A-Za-z]*F/.test(o)) {
      throw new UsageError(`rsync option ${o} is not supported by multisync (use --exclude, --include and --exclude-from)`);
    } else if (m) {
      const value = m[2] ?? rsyncOpts[++i];
      if (value === undefined) throw new UsageError(`rsync option --${m[1]} needs a value`);
      if (m[1] === 'exclude-from') filters.push(...filterFile(value));
      else filters.push({ kind: m[1] as 'exclude' | 'include', pattern: value });
    } else opts.push(o);
  }
  for (const { name, value } of args.ordered) {
    if (name === 'exclude' || name === 'include') filters.push({ kind: name, pattern: value });
    else if (name === 'exclude-from') filters.push(...filterFile(value));
  }
  if (args.flags.delete && !deleteOpts.length) deleteOpts.push('--delete');
  const oneFileSystem = !!args.flags['one-file-system'] || hasFlag(opts, 'x', 'one-file-system');
  if (oneFileSystem && !hasFlag(opts, 'x', 'one-file-system')) opts.push('--one-file-system');
  return { opts, deleteOpts, filters, oneFileSystem };
}
