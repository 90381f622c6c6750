// Halving a bucket that keeps failing: each half gets its own list, so the good entries land
// and the bad ones are isolated down to single paths.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bucketName, writeListFile } from './bucketer.ts';
import type { Bucket } from './types.ts';

/** Splits a NUL-separated list into its records (each without the NUL). */
export function listRecords(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0) {
      if (i > start) out.push(data.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < data.length) out.push(data.subarray(start));
  return out;
}

/**
 * Two halves of `b` with fresh ids; their retries are limited to `retries`. A list that is down
 * to one directory named whole (bucketer.ts) is opened up: `children` gives that directory's
 * entries (as list records), so the halving goes on down to the failing paths.
 */
export function splitBucket(b: Bucket, dir: string, nextId: () => number, retries: number, children?: (rec: Buffer) => Buffer[] | null): Bucket[] | null {
  let records: Buffer[];
  try {
    records = listRecords(readFileSync(b.listFile));
  } catch {
    return null;
  }
  if (records.length === 1 && children) records = children(records[0]) ?? records;
  if (records.length < 2) return null;
  const mid = Math.ceil(records.length / 2);
  return [records.slice(0, mid), records.slice(mid)].map((part) => {
    const id = nextId();
    const name = bucketName(id);
    const listFile = join(dir, `${name}.list`);
    writeListFile(listFile, Buffer.concat(part.flatMap((r) => [r, Buffer.from([0])])));
    // bytes are not known per entry here: share the parent's by entry count
    const bytes = Math.round((b.bytes * part.length) / records.length);
    return { id, source: b.source, listFile, logFile: join(dir, `${name}.log`), files: part.length, bytes, attempts: 0, maxRetries: retries };
  });
}
