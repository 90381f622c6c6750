// Retention of state directories. Every command gets its own state directory under the state
// root (state.ts), and it stays after the run: `multisync status` reads it, and the next run of
// the same command resumes from it. Without a rule the root only grows (a box that ran a few
// thousand distinct commands holds thousands of them). The rule: a command's state goes once
// its last run ended clean (exit 0, nothing failed, nothing kept) and nothing touched it for
// `days` days. A run that failed, was interrupted (resumable) or was kept with -k/-j stays
// until the user removes it; so does anything in the root that is not a state directory.
import { lstatSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastRecord } from './journal.ts';

/** Days a clean run's state is kept (--state-days; 0 keeps every state directory). */
export const DEFAULT_STATE_DAYS = 30;
/** The root is looked over at most once a day: this file's mtime says when it last was. */
export const PRUNE_STAMP = '.pruned';
const DAY_MS = 24 * 3600 * 1000;
/** A state directory's name: the 64-bit hash of its command (state.ts defaultStateDir). */
const STATE_NAME = /^[0-9a-f]{16}$/;
/** A state directory being removed (renamed first, see pruneStates): its name and the remover's pid. */
const PRUNING = /^\.prune-[0-9a-f]{16}-(\d+)$/;

export interface PruneOptions {
  days: number;
  now?: number;
  /** This run's own state directory: never removed. */
  keep?: string;
  /** Look even if the root was looked over less than a day ago. */
  force?: boolean;
}

/**
 * Removes the state directories under `root` whose run ended clean more than `days` days ago;
 * returns their paths. Never throws: retention must not stand in a run's way.
 */
export function pruneStates(root: string, opts: PruneOptions): string[] {
  const now = opts.now ?? Date.now();
  if (!(opts.days > 0)) return [];
  const removed: string[] = [];
  try {
    if (!opts.force && now - lstatSync(join(root, PRUNE_STAMP)).mtimeMs < DAY_MS) return [];
  } catch {
    // never looked over (or no root yet)
  }
  let names: string[];
  try {
    names = readdirSync(root);
    writeFileSync(join(root, PRUNE_STAMP), '', { mode: 0o600 });
    utimesSync(join(root, PRUNE_STAMP), now / 1000, now / 1000);
  } catch {
    return [];
  }
  const cutoff = now - opts.days * DAY_MS;
  for (const name of names) {
    const dir = join(root, name);
    // a removal that stopped half way (a crash, a file it could not remove) is taken up again
    const half = PRUNING.exec(name);
    if (half && !alive(Number(half[1]))) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (!STATE_NAME.test(name) || dir === opts.keep || !endedCleanBefore(dir, cutoff)) continue;
    // renamed out of the way first: a run of the same command starting now gets a fresh
    // directory instead of one half removed
    const gone = join(root, `.prune-${name}-${process.pid}`);
    try {
      renameSync(dir, gone);
    } catch {
      continue;
    }
    rmSync(gone, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/**
 * The directory holds exactly what a clean run leaves (command.json and the journal: no failed
 * paths, no lists or logs), its journal ends with a clean `end` record, and neither changed
 * since `cutoff`.
 */
export function endedCleanBefore(dir: string, cutoff: number): boolean {
  let names: string[];
  try {
    if (!lstatSync(dir).isDirectory()) return false;
    names = readdirSync(dir);
  } catch {
    return false;
  }
  // a kept, failed or interrupted run still has its run/ directory (lists and logs) or its
  // failed paths: it stays
  if (!names.includes('journal.jsonl') || !names.every((n) => n === 'journal.jsonl' || n === 'command.json')) return false;
  for (const n of names) {
    try {
      const st = lstatSync(join(dir, n));
      if (!st.isFile() || st.mtimeMs > cutoff) return false;
    } catch {
      return false;
    }
  }
  return lastRecordIsCleanEnd(join(dir, 'journal.jsonl'));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lastRecordIsCleanEnd(journal: string): boolean {
  const last = lastRecord(journal, { strict: true });
  return last?.t === 'end' && last.exitCode === 0 && last.failedBuckets === 0;
}
