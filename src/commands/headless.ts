// Headless consumer of the engine: JSON events on stdout (--json) or human lines.
import { fdLines } from './fd-lines.ts';
import type { Engine } from '../engine/engine.ts';
import type { Summary } from '../engine/summary.ts';
import type { EngineEvent, Snapshot } from '../engine/types.ts';
import { failedPathLines, printable, progressLine, statsBlock, summaryLine } from './report.ts';

export interface HeadlessOptions {
  json: boolean;
  progress: boolean;
  stats: boolean;
  show: boolean;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export function progressEvent(s: Snapshot) {
  return {
    type: 'progress',
    filesDone: s.filesDone,
    bytesDone: s.bytesDone,
    filesTotal: s.filesTotal,
    bytesTotal: s.bytesTotal,
    crawlDone: s.crawlDone,
    queue: s.buckets.queued,
    running: s.buckets.running,
    failed: s.buckets.failed,
    bytesPerSec: Math.round(s.bytesPerSec),
    elapsedMs: s.elapsedMs,
  };
}

/** CPU time this process used so far (user + system), in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
}

export async function runHeadless(engine: Engine, o: HeadlessOptions, run: () => Promise<Summary>): Promise<Summary> {
  const out = o.out ?? fdLines(1);
  const err = o.err ?? fdLines(2);
  const json = (obj: object) => out(JSON.stringify(obj));
  const off = engine.on((e: EngineEvent) => {
    if (o.json) {
      if (e.type !== 'bucket-start') json(e);
      return;
    }
    if (e.type === 'bucket-failed') err(`multisync: bucket ${e.bucket} failed: exit ${e.exitCode ?? 'signal'} (${e.meaning}): ${e.error}`);
    else if (e.type === 'delete') out(`${e.dryRun ? 'would delete' : 'deleting'} ${printable(e.path)}`);
    else if (e.type === 'crawl-error') err(`multisync: ${e.vanished ? 'vanished' : 'cannot read'}: ${printable(e.path)} (${e.error})`);
    else if (e.type === 'bucket-retry' && o.progress) err(`multisync: bucket ${e.bucket} exit ${e.exitCode}: ${e.error}; retry in ${e.delayMs} ms`);
    else if (e.type === 'finalize' && !e.ok) err(`multisync: ${e.step} failed: ${e.error}`);
    else if (e.type === 'worker-down') err(`multisync: worker host ${e.worker} is down (${e.error}): its buckets go to the other hosts`);
    else if (e.type === 'start' && o.show) err(`multisync: bucket directory ${e.bucketDir}`);
  });
  const timer = setInterval(() => {
    const s = engine.snapshot();
    if (o.json) json(progressEvent(s));
    else if (o.progress) err(progressLine(s));
  }, 1000);
  let sum: Summary;
  try {
    sum = await run();
  } finally {
    clearInterval(timer);
    off();
  }
  const last = engine.snapshot();
  if (o.json) {
    json(progressEvent(last));
    json({
      type: 'summary',
      status: sum.status,
      files: sum.files,
      bytes: sum.bytes,
      filesTotal: sum.filesTotal,
      bytesTotal: sum.bytesTotal,
      filesTransferred: sum.filesTransferred,
      bytesSent: sum.bytesSent,
      filesUnchanged: sum.filesUnchanged,
      bytesUnchanged: sum.bytesUnchanged,
      deleted: sum.deleted,
      buckets: sum.buckets,
      failedBuckets: sum.failedBuckets,
      skippedBuckets: sum.skippedBuckets,
      crawlErrors: sum.crawlErrors,
      elapsedMs: sum.elapsedMs,
      crawlMs: sum.crawlMs,
      tailMs: sum.tailMs,
      ...(sum.ssh ? { ssh: sum.ssh } : {}),
      // multisync's own CPU (its rsyncs not included), for comparing with the run's total
      cpuMs: cpuMs(),
      exitCode: sum.exitCode,
      bucketDir: sum.keptDir,
    });
  } else {
    if (o.progress) err(progressLine(last));
    out(o.stats ? statsBlock(sum) : summaryLine(sum));
  }
  for (const l of failedPathLines(sum)) err(l);
  if (sum.keptDir && !o.json) err(`multisync: bucket lists and logs kept in ${sum.keptDir}`);
  return sum;
}
