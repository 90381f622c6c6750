// --workers h1,h2 and --workers-file FILE → the run's worker hosts (checked: exit 2 on bad input).
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../engine/errors.ts';
import { badHost } from '../engine/remote.ts';
import { parseWorkerList } from '../engine/worker-commands.ts';
import type { ParsedArgs } from './parse-args.ts';

export function workerHosts(args: ParsedArgs): string[] | undefined {
  const items = [...(args.lists.workers ?? [])];
  for (const file of args.lists['workers-file'] ?? []) {
    try {
      if (statSync(file).isDirectory()) throw new UsageError(`--workers-file ${file} is a directory`);
      items.push(readFileSync(file, 'utf8'));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot read --workers-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (!items.length) return undefined;
  const hosts = parseWorkerList(items);
  if (!hosts.length) throw new UsageError('--workers names no host');
  for (const h of hosts) {
    const bad = badHost(h);
    if (bad) throw new UsageError(`worker ${bad}`);
  }
  return hosts;
}
