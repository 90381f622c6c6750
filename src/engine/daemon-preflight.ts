// Pre-flight for an rsync daemon DST (host::module or rsync://host/module, remote-preflight.ts):
// its module must answer before anything is written, and a missing DST is made by one rsync of
// an empty directory once every other check passed (RemoteSession.finishDestination).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunConfig } from './config.ts';
import { UsageError } from './errors.ts';
import type { RemoteSpec } from './remote.ts';
import type { RemoteSession } from './remote-preflight.ts';
import { pickFirstError } from './rsync-process.ts';

/** A daemon is reached directly, or over a remote shell when -e is given (rsync's rule). */
function daemonArgs(cfg: RunConfig): string[] {
  return cfg.rsh ? [`--rsh=${cfg.rsh}`] : [];
}

/** rsync's most specific error line (not its closing "rsync error: … (code N)" when there is better). */
function rsyncLine(text: string, fallback: string): string {
  const lines = text.split('\n').map((l) => l.trim().replace(/^@ERROR:\s*/, '')).filter(Boolean);
  return pickFirstError(lines.filter((l) => !/^rsync error: /.test(l))) ?? lines[0] ?? fallback;
}

/** The module of a daemon DST must answer: `rsync --list-only host::module/`. */
export function checkDaemon(cfg: RunConfig, spec: Extract<RemoteSpec, { kind: 'daemon' }>): void {
  const moduleUrl = spec.url ? `rsync://${spec.host}${spec.port ? `:${spec.port}` : ''}/${spec.module}/` : `${spec.host}::${spec.module}/`;
  if (!spec.module) throw new UsageError(`destination ${cfg.destination} names no rsync daemon module`);
  const r = spawnSync(cfg.rsyncPath, ['--list-only', '--no-motd', ...daemonArgs(cfg), moduleUrl], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  if (r.status === 0) return;
  const line = rsyncLine(r.stderr || r.stdout || '', `exit ${r.status ?? r.signal}`);
  if (/Unknown module/i.test(line)) throw new UsageError(`the rsync daemon on ${spec.host} has no module '${spec.module}': ${line}`);
  throw new UsageError(`cannot reach the rsync daemon on ${spec.host}: ${line}`);
}

/** finishDestination for a daemon DST (made then, unless a dry run) or a local one (nothing to do). */
export function daemonFinish(cfg: RunConfig, spec: RemoteSpec | null): RemoteSession['finishDestination'] {
  return (create) => void (create && createDaemonDestination(cfg, spec));
}

/** A daemon DST's last level is made by one rsync of an empty directory (its parent must exist). */
function createDaemonDestination(cfg: RunConfig, spec: RemoteSpec | null): void {
  if (spec?.kind !== 'daemon') return;
  const empty = mkdtempSync(join(tmpdir(), 'multisync-empty-'));
  try {
    const dst = cfg.destination.endsWith('/') ? cfg.destination : `${cfg.destination}/`;
    const r = spawnSync(cfg.rsyncPath, ['-d', '--no-motd', ...daemonArgs(cfg), `${empty}/`, dst], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    if (r.status !== 0) throw new UsageError(`cannot create destination ${cfg.destination}: ${rsyncLine(r.stderr || r.stdout || '', `exit ${r.status}`)}`);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}
