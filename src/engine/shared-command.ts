// --shared DIR before anything is written: the plan's command is recorded in DIR/command.json by
// the first coordinator and must match for every one that joins (the layout: shared-plan.ts).
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from './config.ts';
import { UsageError } from './errors.ts';
import { runIdentity } from './state.ts';

/**
 * Checks (or records) the plan's command and creates DIR (exit 2 when another command owns it);
 * makes a missing local DST here, where another host may be making it too. Returns whether the
 * engine must still create DST (never).
 */
export function prepareShared(cfg: RunConfig, createDestination: boolean): boolean {
  if (!cfg.shared) return createDestination;
  checkSharedCommand(cfg, cfg.shared);
  if (createDestination) mkdirSync(cfg.destination, { recursive: true });
  return false;
}

function checkSharedCommand(cfg: RunConfig, dir: string): void {
  try {
    for (const sub of ['', 'buckets', 'claims', 'done', 'failed']) mkdirSync(join(dir, sub), { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot use --shared ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const file = join(dir, 'command.json');
  const mine = JSON.stringify(runIdentity(cfg));
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, `${mine}\n`);
    closeSync(fd);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`cannot use --shared ${dir}: ${(err as NodeJS.ErrnoException).code}`);
  }
  let theirs = '';
  try {
    theirs = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    /* being written: accept */
    return;
  }
  if (theirs !== mine) throw new UsageError(`--shared ${dir} holds the plan of another command (sources, destination or options differ)`);
}
