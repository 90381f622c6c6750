// Whether --delete has anything to remove, known from the crawl: with the destination check on,
// each directory's DST twin is listed too (where its entries are checked: on the main thread or
// in a reader thread; for a DST on an ssh host, in the listing the check already has), and a
// name DST has that SRC lacks is what rsync --delete removes there.
// A run whose crawl found none leaves the delete pass out: it is one more rsync over both whole
// trees (a no-op re-run of 21k entries with --delete: 0.65-0.78 s against 0.32 s without, one
// rsync --delete 0.33-0.37 s).
import type { RunConfig } from './config.ts';
import type { DestIndex } from './remote-dest.ts';
import { hasFlag } from './rsync-args.ts';
import type { Stats } from './stats.ts';

/**
 * DST's twin of a SRC directory whose `names` were read holds a name they lack, or cannot be
 * listed (then the pass decides). Self-contained: the reader threads run its source text.
 */
export function destExtras(names: string[], dest: { dir: string; ascii: boolean }, fs: { readdirSync: typeof import('node:fs').readdirSync; Buffer: typeof Buffer }): boolean {
  let there: string[];
  try {
    there = fs.readdirSync(dest.ascii ? dest.dir : fs.Buffer.from(dest.dir, 'latin1'), { encoding: 'latin1' }) as string[];
  } catch {
    return true;
  }
  if (there.length > names.length) return true;
  const src = new Set(names);
  for (const n of there) if (!src.has(n)) return true;
  return false;
}

/** Per directory of a remote DST's listing (key as the index's, '' for DST): how many entries it holds. */
const childCounts = new WeakMap<DestIndex, Map<string, number>>();

/**
 * destExtras for a DST on an ssh host, from its listing (remote-dest.ts): the directory `dir`
 * (its key in the index) holds more entries than the SRC `names` it has.
 */
export function indexExtras(names: string[], dir: string, index: DestIndex): boolean {
  let counts = childCounts.get(index);
  if (!counts) {
    counts = new Map();
    for (const path of index.keys()) {
      if (!path) continue;
      const parent = path.slice(0, Math.max(0, path.lastIndexOf('/')));
      counts.set(parent, (counts.get(parent) ?? 0) + 1);
    }
    childCounts.set(index, counts);
  }
  let present = 0;
  for (const n of names) if (index.has(dir ? `${dir}/${n}` : n)) present++;
  return (counts.get(dir) ?? 0) > present;
}

/**
 * The crawl can tell whether --delete has work: DST checked entry by entry (the destination
 * check: a local DST, or the listing of one on an ssh host), no filter rules (they protect or expose names), no -x (a mount point's contents are not
 * crawled), and rsync sends every entry the crawl lists (-a, or -l and -D: else a symlink or
 * device in SRC is skipped and its DST twin deleted).
 */
export function extrasKnowable(cfg: RunConfig): boolean {
  if (!cfg.deleteOpts.length || cfg.filters?.length || cfg.oneFileSystem) return false;
  const o = cfg.rsyncOpts;
  return hasFlag(o, 'a', 'archive') || (hasFlag(o, 'l', 'links') && hasFlag(o, 'D', 'devices') && hasFlag(o, 'D', 'specials'));
}

/**
 * The delete pass can be left out: the crawl listed every DST twin (`fresh`: a whole crawl, not
 * a resumed or retried one) and found no name SRC lacks, and SRC lost nothing since (no entry
 * vanished during the crawl or before its bucket: DST may hold what rsync would now delete).
 */
export function deletePassNeeded(stats: Pick<Stats, 'extrasKnown' | 'destExtras' | 'crawlWarnings' | 'vanished'>, fresh: boolean): boolean {
  return !fresh || !stats.extrasKnown || stats.destExtras > 0 || stats.crawlWarnings > 0 || stats.vanished > 0;
}
