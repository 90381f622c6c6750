// Starting a run from its state: an ephemeral state for dry runs and embedded uses, the
// journal's state otherwise; on resume, clean up after the killed run and queue what is left.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bucketer } from './bucketer.ts';
import { isRemote, type RunConfig } from './config.ts';
import { killOrphans, remoteTempFiles, removeTempFiles } from './resume-cleanup.ts';
import { findPath } from './remote-crawl.ts';
import { parseRemote, shPath } from './remote.ts';
import { sshArgv, sshSync } from './ssh-control.ts';
import { lastRecord } from './journal.ts';
import { RunState } from './run-state.ts';
import { statePaths } from './state.ts';
import { DEFAULT_STATE_DAYS, pruneStates } from './state-retention.ts';
import type { Stats } from './stats.ts';
import type { Supervisor } from './supervisor.ts';
import type { Bucket, EngineEvent } from './types.ts';

export function openRunState(cfg: RunConfig, version: string): { state: RunState; ephemeral: boolean } {
  const ephemeral = !cfg.stateDir || cfg.dryRun;
  if (ephemeral && cfg.bucketDir) mkdirSync(cfg.bucketDir, { recursive: true });
  const dir = ephemeral ? mkdtempSync(join(cfg.bucketDir ?? tmpdir(), 'multisync-')) : cfg.stateDir!;
  // (a dry run writes nothing, not even here)
  if (!ephemeral && cfg.stateRoot) pruneStates(cfg.stateRoot, { days: cfg.stateDays ?? DEFAULT_STATE_DAYS, keep: dir });
  return { state: new RunState(cfg, dir, { fresh: !!cfg.fresh || ephemeral, version }), ephemeral };
}

/** On resume: stop orphans, remove their temp files, count done buckets as skipped, queue the rest. */
export function resumeBuckets(state: RunState, cfg: RunConfig, sup: Supervisor, stats: Stats, bucketer: Bucketer, emit: (e: EngineEvent) => void): void {
  if (!state.resumed) return;
  const { done, todo, started, lastId } = state.priorBuckets();
  killOrphans(state.priorPids(), state.paths.runDir);
  if (!isRemote(cfg.destination)) removeTempFiles(started, cfg.destination, (b) => (isRemote(cfg.sources[b.source].arg) ? '/nonexistent/' : cfg.sources[b.source].base));
  else removeRemoteTempFiles(started, cfg);
  bucketer.nextId = lastId + 1;
  for (const b of done) {
    stats.bucketsTotal++;
    stats.skipped++;
    stats.filesTotal += b.files;
    stats.bytesTotal += b.bytes;
    stats.filesDone += b.files;
    stats.bytesDone += b.bytes;
  }
  for (const b of todo) {
    stats.bucketsTotal++;
    stats.filesTotal += b.files;
    stats.bytesTotal += b.bytes;
    sup.enqueue(b);
  }
  const listedBefore = [...done, ...todo].reduce((n, b) => n + b.files, 0);
  emit({ type: 'resume', stateDir: state.paths.dir, skippedBuckets: done.length, pendingBuckets: todo.length, listedBefore });
}

/** --retry-failed: the earlier run's failed paths become this run's manifests. */
export function retryLists(state: RunState, cfg: RunConfig): Array<string | null> {
  return cfg.sources.map((_, i) => {
    const data = state.failedList(i);
    if (!data?.length) return null;
    const file = join(state.paths.runDir, `retry-${i}.list`);
    writeFileSync(file, data);
    return file;
  });
}

/**
 * A DST on an ssh host: its rsyncs remove their own temp files when their connection closes (a
 * killed multisync, a dropped link), but not when they are killed outright or the host goes down.
 * The temp files the pre-flight's listing of DST shows for the started buckets' names are
 * removed there, in one command, names on its stdin. (The pre-flight lists DST when the last run
 * did not end: see interrupted().) Without a listing (a DST of more than MAX_INDEX entries,
 * --workers) nothing is removed.
 */
function removeRemoteTempFiles(started: Bucket[], cfg: RunConfig): void {
  const spec = parseRemote(cfg.destination);
  if (spec?.kind !== 'ssh' || !cfg.destIndex || cfg.workers?.length || !started.length) return;
  const paths = remoteTempFiles(started, cfg.destIndex, (b) => cfg.sources[b.source].base);
  if (!paths.length) return;
  const names = Buffer.from(paths.map((p) => `${p}\0`).join(''), 'latin1');
  sshSync(sshArgv(cfg.rsh, cfg.sshControlDir), spec.host, `cd ${shPath(findPath(spec.path))} && xargs -0 rm -f --`, 30_000, names);
}

/** The command's last run did not end (a crash, kill -9): the run about to start resumes it. */
export function interrupted(cfg: RunConfig): boolean {
  if (!cfg.stateDir || cfg.fresh || cfg.dryRun) return false;
  const last = lastRecord(statePaths(cfg.stateDir).journal);
  return last !== null && last.t !== 'end';
}
