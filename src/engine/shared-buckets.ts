// The buckets of a --shared DIR as files (the layout: shared-plan.ts): the crawler publishes each
// bucket (its list, then its meta) and, at the end, how many there are; every coordinator reads
// them back; the coordinator that ran a bucket marks it done or failed, and the ones that watched
// it read that. Claims and the crawler file are lease files (lease-files.ts).
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bucketName } from './bucket-files.ts';
import type { Stats } from './stats.ts';
import type { Bucket, Outcome } from './types.ts';

interface Meta {
  id: number;
  source: number;
  files: number;
  bytes: number;
}

/** The crawler publishes a bucket: its list, then its meta (renamed into place). */
export function publishBucket(dir: string, b: Bucket): void {
  const name = bucketName(b.id);
  copyFileSync(b.listFile, join(dir, 'buckets', `${name}.list`));
  const meta: Meta = { id: b.id, source: b.source, files: b.files, bytes: b.bytes };
  const tmp = join(dir, 'buckets', `.${name}.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(meta));
  renameSync(tmp, join(dir, 'buckets', `${name}.json`));
}

/** Bucket `id` as published (its log goes to `runDir`), or null while its meta is not in place. */
export function readPublished(dir: string, id: number, runDir: () => string): Bucket | null {
  const name = bucketName(id);
  let meta: Meta;
  try {
    meta = JSON.parse(readFileSync(join(dir, 'buckets', `${name}.json`), 'utf8'));
  } catch {
    return null;
  }
  return {
    id: meta.id,
    source: meta.source,
    files: meta.files,
    bytes: meta.bytes,
    listFile: join(dir, 'buckets', `${name}.list`),
    logFile: join(runDir(), `${name}.log`),
    attempts: 0,
  };
}

/** The crawl ended: records how many buckets the plan has, and who crawled. */
export function markCrawlDone(dir: string, buckets: number, host: string): void {
  writeFileSync(join(dir, 'crawl-done'), JSON.stringify({ buckets, host }));
}

/** How many buckets the plan has, once the crawl ended (else null). */
export function crawlTotal(dir: string): number | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'crawl-done'), 'utf8')).buckets;
  } catch {
    return null;
  }
}

export function markDone(dir: string, b: Bucket, host: string): void {
  writeFileSync(join(dir, 'done', bucketName(b.id)), `${host}\n`);
}

/** Keeps a failed bucket's log and list where every coordinator sees them, and why it failed. */
export function markFailed(dir: string, b: Bucket, o: Outcome, host: string): void {
  const name = bucketName(b.id);
  try {
    copyFileSync(b.logFile, join(dir, 'failed', `${name}.log`));
  } catch {
    /* no log */
  }
  try {
    copyFileSync(b.listFile, join(dir, 'failed', `${name}.list`));
  } catch {
    /* no list */
  }
  writeFileSync(join(dir, 'failed', name), `${JSON.stringify({ host, exitCode: o.exitCode, error: o.firstError ?? o.meaning })}\n`);
}

/** A watched bucket that settled elsewhere: done (counted as skipped here) or failed. */
export function settleForeign(dir: string, b: Bucket, stats: Stats): boolean {
  const name = bucketName(b.id);
  if (existsSync(join(dir, 'done', name))) {
    stats.skipped++;
    stats.bucketDone(b);
    return true;
  }
  if (existsSync(join(dir, 'failed', name))) {
    let info = { host: '?', exitCode: null as number | null, error: 'failed' };
    try {
      info = JSON.parse(readFileSync(join(dir, 'failed', name), 'utf8'));
    } catch {
      /* torn */
    }
    stats.bucketFailed({
      bucket: b.id,
      source: b.source,
      files: b.files,
      bytes: b.bytes,
      exitCode: info.exitCode,
      kind: 'fatal',
      meaning: `failed on ${info.host}`,
      firstError: `${info.error} (on ${info.host})`,
      logFile: join(dir, 'failed', `${name}.log`),
      attempts: 0,
    });
    return true;
  }
  return false;
}
