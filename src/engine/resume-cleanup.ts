// Before a resumed run: stop rsyncs a killed multisync left behind, and remove the temporary
// files (`.name.XXXXXX`) that rsyncs killed mid-file leave in DST — only those of names in the
// buckets that were running, so nothing of the user's is touched.
import { readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { listRecords } from './bucket-split.ts';
import type { Bucket } from './types.ts';

/** Kills earlier rsyncs (and their process groups) whose command line names our run dir. */
export function killOrphans(pids: number[], runDir: string): number {
  let killed = 0;
  for (const pid of pids) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue; // gone, or not Linux
    }
    if (!cmdline.includes(runDir)) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
        killed++;
      } catch {
        /* already gone */
      }
    }
  }
  return killed;
}

const TEMP = /^\.(.+)\.[A-Za-z0-9]{6}$/s;

/** Removes rsync temp files of the buckets' names from a local destination; returns how many. */
export function removeTempFiles(buckets: Bucket[], destination: string): number {
  const byDir = new Map<string, Set<string>>();
  for (const b of buckets) {
    let records: Buffer[];
    try {
      records = listRecords(readFileSync(b.listFile));
    } catch {
      continue;
    }
    for (let r of records) {
      if (r[0] === 0x2e && r[1] === 0x2f) r = r.subarray(2); // "./"
      const slash = r.lastIndexOf(0x2f);
      const dir = slash < 0 ? '' : r.subarray(0, slash).toString('latin1');
      const name = r.subarray(slash + 1).toString('latin1');
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(name);
    }
  }
  let removed = 0;
  const base = Buffer.from(destination.endsWith('/') ? destination : `${destination}/`);
  for (const [dir, names] of byDir) {
    const dirBuf = Buffer.concat([base, Buffer.from(dir ? `${dir}/` : '', 'latin1')]);
    let entries: Buffer[];
    try {
      entries = readdirSync(dirBuf, { encoding: 'buffer' }) as Buffer[];
    } catch {
      continue;
    }
    for (const e of entries) {
      const m = TEMP.exec(e.toString('latin1'));
      if (!m || !names.has(m[1])) continue;
      try {
        unlinkSync(Buffer.concat([dirBuf, e]));
        removed++;
      } catch {
        /* raced away */
      }
    }
  }
  return removed;
}
