// Before a resumed run: stop rsyncs a killed multisync left behind, and remove the temporary
// files (`.name.XXXXXX`) that rsyncs killed mid-file leave in DST — only those of names in the
// buckets that were running, so nothing of the user's is touched.
import { lstatSync, readFileSync, readdirSync, unlinkSync, type Stats } from 'node:fs';
import { listRecords } from './bucket-split.ts';
import type { DestIndex } from './remote-dest.ts';
import type { Bucket } from './types.ts';

/**
 * Kills earlier rsyncs (and their process groups) whose command line or environment (the
 * MULTISYNC_LOG every rsync gets) names our run dir.
 */
export function killOrphans(pids: number[], runDir: string): number {
  let killed = 0;
  for (const pid of pids) {
    let marks: string;
    try {
      marks = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!marks.includes(runDir)) marks += readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // gone, or not Linux
    }
    if (!marks.includes(runDir)) continue;
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

/** Where the buckets' temp files can be: names by DST directory, and the subtrees buckets name whole. */
interface TempTargets {
  byDir: Map<string, Set<string>>;
  /** Every list record (relative to DST), with the source directory it comes from. */
  trees: Array<{ rel: string; src: string }>;
}

function tempTargets(buckets: Bucket[], sourceBase?: (b: Bucket) => string): TempTargets {
  const byDir = new Map<string, Set<string>>();
  const trees: TempTargets['trees'] = [];
  for (const b of buckets) {
    let records: Buffer[];
    try {
      records = listRecords(readFileSync(b.listFile));
    } catch {
      continue;
    }
    for (let r of records) {
      if (r[0] === 0x2e && r[1] === 0x2f) r = r.subarray(2); // "./"
      if (sourceBase) trees.push({ rel: r.toString('latin1'), src: sourceBase(b) });
      const slash = r.lastIndexOf(0x2f);
      const dir = slash < 0 ? '' : r.subarray(0, slash).toString('latin1');
      const name = r.subarray(slash + 1).toString('latin1');
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(name);
    }
  }
  return { byDir, trees };
}

/**
 * Removes rsync temp files of the buckets' names from a local destination; returns how many. A
 * name that is a directory in DST may stand for its whole subtree (a bucket names a directory
 * whose every entry it holds): below it, a temp file goes when its name exists in the source
 * (`sourceBase` of the bucket), so a file only DST has is never touched.
 */
export function removeTempFiles(buckets: Bucket[], destination: string, sourceBase?: (b: Bucket) => string): number {
  const { byDir, trees } = tempTargets(buckets, sourceBase);
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
  for (const t of trees) removed += removeBelow(Buffer.from(base.toString('latin1') + t.rel + '/', 'latin1'), Buffer.from(`${t.src}${t.rel}/`, 'latin1'));
  return removed;
}

/** Temp files below a DST directory whose names exist in the matching source directory. */
function removeBelow(dst: Buffer, src: Buffer): number {
  let names: Buffer[];
  try {
    names = readdirSync(dst, { encoding: 'buffer' }) as Buffer[];
  } catch {
    return 0; // not a directory (a file name), or gone
  }
  let removed = 0;
  for (const name of names) {
    const path = Buffer.concat([dst, name]);
    const st = lstatOrNull(path);
    if (!st) continue;
    if (st.isDirectory()) {
      removed += removeBelow(Buffer.concat([path, SLASH]), Buffer.concat([src, name, SLASH]));
      continue;
    }
    const m = TEMP.exec(name.toString('latin1'));
    if (!m || !lstatOrNull(Buffer.concat([src, Buffer.from(m[1], 'latin1')]))) continue;
    try {
      unlinkSync(path);
      removed++;
    } catch {
      /* raced away */
    }
  }
  return removed;
}

const SLASH = Buffer.from('/');

/**
 * The same rule for a DST on an ssh host, applied to its listing (the pre-flight's index, keys
 * relative to DST): the paths of the temp files to remove there. A subtree a bucket names whole
 * is one the listing has as a directory; below it a temp file counts when the local source has
 * its name.
 */
export function remoteTempFiles(buckets: Bucket[], index: DestIndex, sourceBase: (b: Bucket) => string): string[] {
  const { byDir, trees } = tempTargets(buckets, sourceBase);
  const wholeDirs = new Map<string, string>();
  for (const t of trees) if ((index.get(t.rel)?.mode ?? 0) >> 12 === 0o04) wholeDirs.set(t.rel, t.src);
  const out: string[] = [];
  for (const [path, rec] of index) {
    const slash = path.lastIndexOf('/');
    const m = TEMP.exec(path.slice(slash + 1));
    if (!m || rec.mode >> 12 !== 0o10) continue;
    const dir = slash < 0 ? '' : path.slice(0, slash);
    if (byDir.get(dir)?.has(m[1])) {
      out.push(path);
      continue;
    }
    // below a directory a bucket names whole (that directory or one of its parents)
    for (let a = dir; a; a = a.slice(0, Math.max(0, a.lastIndexOf('/')))) {
      const src = wholeDirs.get(a);
      if (src === undefined) continue;
      if (lstatOrNull(Buffer.from(`${src}${dir}/${m[1]}`, 'latin1'))) out.push(path);
      break;
    }
  }
  return out;
}

function lstatOrNull(p: Buffer): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}
