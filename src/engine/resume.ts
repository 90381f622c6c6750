// Starting a run from its state: an ephemeral state for dry runs and embedded uses, the
// journal's state otherwise; on resume, clean up after the killed run and queue what is left.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bucketer } from './bucketer.ts';
import { isRemote, type RunConfig } from './config.ts';
import { killOrphans, removeTempFiles } from './resume-cleanup.ts';
import { RunState } from './run-state.ts';
import { DEFAULT_STATE_DAYS, pruneStates } from './state-retention.ts';
import type { Stats } from './stats.ts';
import type { Supervisor } from './supervisor.ts';
import type { EngineEvent } from './types.ts';

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
