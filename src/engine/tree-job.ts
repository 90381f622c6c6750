// One job of a crawl reader thread: read a few directories the walk will need next and, while
// the job's entry budget lasts, their subtrees below them, depth-first in the walk's own order
// (sorted names). The walk then finds most directories it reaches already read. With the
// destination check, each directory's DST twin is checked in the same thread.
// walkTree is self-contained (no outer names): a thread runs its source text, with node:fs and
// the reading and checking functions passed in.
import type { checkNames, CheckFs, destChild } from './dest-probe.ts';
import type { CheckFns, CheckPolicy } from './dest-check.ts';
import type { destExtras } from './dest-extras.ts';
import type { statNames } from './dir-reader.ts';

/** A directory to read: absolute latin1 path without trailing slash; its DST twin when checked. */
export interface TreeStart {
  dir: string;
  ascii: boolean;
  dest?: { dir: string; ascii: boolean };
}

export interface TreeJob {
  starts: TreeStart[];
  /** The check's policy (for starts and descendants with a dest). */
  policy?: CheckPolicy;
  /** Read no further directories below the starts once this many entries are read. */
  budget: number;
  /** rsync -x: the source's device; subdirectories on another are not entered (-1: no limit). */
  xdev: number;
}

/** One directory read by a job. */
export type TreeRead =
  | { dir: string; error: { code?: string; message: string } }
  | { dir: string; names: string; count: number; num: Float64Array; errs: Array<[number, string | undefined, string]>; check?: Uint8Array; extra?: boolean };

export interface TreeFns extends CheckFns {
  statNames: typeof statNames;
  checkNames: typeof checkNames;
  destChild: typeof destChild;
  destExtras: typeof destExtras;
}

/** Reads a job's directories: every start, then below them, in walk order, while the budget lasts. */
export function walkTree(job: TreeJob, fs: CheckFs & { readdirSync: typeof import('node:fs').readdirSync }, f: TreeFns): TreeRead[] {
  const nonAscii = /[^\x00-\x7f]/;
  const out: TreeRead[] = [];
  let used = 0;
  const read = (s: TreeStart): TreeStart[] => {
    let names: string[];
    try {
      names = fs.readdirSync(s.ascii && !nonAscii.test(s.dir) ? s.dir : fs.Buffer.from(s.dir, 'latin1'), { encoding: 'latin1' }) as string[];
    } catch (e) {
      out.push({ dir: s.dir, error: { code: (e as NodeJS.ErrnoException).code, message: (e as Error).message } });
      return [];
    }
    names.sort();
    const prefix = s.dir.endsWith('/') ? s.dir : `${s.dir}/`;
    const r = f.statNames(names, prefix, s.ascii, !!s.dest, fs, f.metaOf);
    const check = s.dest && job.policy
      ? f.checkNames(names, r.num, prefix, s.ascii, { dir: s.dest.dir, ascii: s.dest.ascii, policy: job.policy }, fs, f)
      : undefined;
    const extra = s.dest && job.policy?.extras ? f.destExtras(names, s.dest, fs) : undefined;
    out.push({ dir: s.dir, names: names.join('\0'), count: names.length, num: r.num, errs: r.errs, check, extra });
    used += names.length;
    // the subdirectories, as the walk will take them (and with the DST twins it will give them)
    const subs: TreeStart[] = [];
    for (let i = 0, k = 0; i < names.length; i++, k += 9) {
      if (r.num[k] < 0 || (r.num[k] & 0o170000) !== 0o040000) continue;
      if (job.xdev >= 0 && r.num[k + 3] !== job.xdev) continue;
      const ascii = s.ascii && !nonAscii.test(names[i]);
      const code = check ? check[i] : 0;
      const dest = code && s.dest ? f.destChild(s.dest, names[i], ascii) : undefined;
      subs.push({ dir: prefix + names[i], ascii, dest });
    }
    return subs;
  };
  for (const start of job.starts) {
    const stack = read(start).reverse();
    while (stack.length && used < job.budget) {
      const subs = read(stack.pop()!);
      for (let k = subs.length - 1; k >= 0; k--) stack.push(subs[k]);
    }
  }
  return out;
}
