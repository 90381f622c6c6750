// The state directory of a run (resume after a crash): where its journal, bucket lists, logs
// and failed-path lists live. Its default location is derived from what decides the result —
// sources, destination, rsync options, filters — so re-running the same command resumes and a
// different command never picks up unrelated state.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { UsageError } from './errors.ts';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isRemote, type RunConfig } from './config.ts';

export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'multisync');
}

const abs = (p: string) => (isRemote(p) ? p : resolve(p) + (p.endsWith('/') ? '/' : ''));

/** The identity of a run: everything that changes what ends up in DST. */
export function runIdentity(cfg: RunConfig): object {
  return {
    sources: cfg.sources.map((s) => abs(s.arg)),
    destination: abs(cfg.destination),
    rsyncOpts: cfg.rsyncOpts,
    filters: cfg.filters,
    oneFileSystem: cfg.oneFileSystem,
    deleteOpts: cfg.deleteOpts,
    filesFrom: cfg.filesFrom ? { file: resolve(cfg.filesFrom.file), from0: cfg.filesFrom.from0 } : null,
  };
}

export function defaultStateDir(cfg: RunConfig, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(env), fnv1a64(JSON.stringify(runIdentity(cfg))));
}

/**
 * 64-bit FNV-1a of a string's UTF-8 bytes, 16 hex digits: names a command's state directory.
 * (Not node:crypto: importing it costs Bun 20-35 ms at every start, more than a small no-op run.)
 */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

export interface StatePaths {
  dir: string;
  journal: string;
  /** Bucket lists, logs and directory lists of the current run. */
  runDir: string;
  command: string;
  failedList: (source: number) => string;
  failedText: string;
}

export function statePaths(dir: string): StatePaths {
  return {
    dir,
    journal: join(dir, 'journal.jsonl'),
    runDir: join(dir, 'run'),
    command: join(dir, 'command.json'),
    failedList: (i) => join(dir, `failed-${i}.list`),
    failedText: join(dir, 'failed.txt'),
  };
}

/** Creates the directory (0700). `fresh` discards an earlier run's journal and lists. */
export function prepareState(dir: string, cfg: RunConfig, fresh: boolean): StatePaths {
  const p = statePaths(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (fresh) {
    rmSync(p.journal, { force: true });
    rmSync(p.runDir, { recursive: true, force: true });
  }
  mkdirSync(p.runDir, { recursive: true, mode: 0o700 });
  if (fresh || !existsSync(p.command)) writeFileSync(p.command, `${JSON.stringify(runIdentity(cfg), null, 2)}\n`, { mode: 0o600 });
  return p;
}

/** --state DIR holding another command's run: refuse rather than mix them (unless --new). */
export function checkStateOwner(cfg: RunConfig): void {
  if (!cfg.stateDir || cfg.fresh || cfg.dryRun) return;
  const file = statePaths(cfg.stateDir).command;
  if (!existsSync(file)) return;
  let stored: string;
  try {
    stored = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return;
  }
  if (stored !== JSON.stringify(runIdentity(cfg))) {
    throw new UsageError(`state directory ${cfg.stateDir} belongs to a different command (sources, destination or options differ); use another --state or --new to discard it`);
  }
}
