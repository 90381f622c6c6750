// Where a crawl starts: its base as an absolute path, and, with the destination check, the top
// directory's twin in DST.
import { lstatSync, statSync } from 'node:fs';
import type { CrawlHooks } from './crawler.ts';
import { metaOf, sameEntry, type MetaStat } from './dest-check.ts';
import type { DestDir } from './dest-probe.ts';
import { sysPath } from './dir-reader.ts';
import { stayOutside } from './inside-dir.ts';

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A latin1 directory made absolute when the working directory's name is ASCII (then
 * its string is its bytes), so that reading from inside a directory (dir-reader.ts) and the
 * reader threads do not depend on the working directory; else as it is, and nothing is read
 * from inside a directory any more.
 */
export function absolute(base: string, cwd: string): string {
  if (base.startsWith('/')) return base;
  // (joined, not resolved: `..` after a symlink is the kernel's to follow, as rsync's)
  if (!cwd || NON_ASCII.test(cwd)) {
    stayOutside();
    return base;
  }
  return `${cwd === '/' ? '' : cwd}/${base}`;
}

/**
 * The crawl's top directory in DST when the destination check is on and DST has a directory
 * there (else its entries are not checked), and whether it is as rsync would leave it.
 */
export function topDest(c: CrawlHooks['destCheck'], base: string, top: string, cwd: string): { dest?: DestDir; same: boolean } {
  if (!c) return { same: false };
  try {
    let dest: DestDir;
    let d: MetaStat | undefined;
    if (c.index) {
      // a DST on an ssh host: its listing has DST itself under '' (remote-dest.ts)
      dest = { dir: top, ascii: true, policy: c.policy, index: c.index };
      d = c.index.get(top);
    } else {
      const root = absolute(Buffer.from(c.root).toString('latin1'), cwd).replace(/\/+$/, '') || '/';
      const dir = top ? `${root === '/' ? '' : root}/${top}` : root;
      dest = { dir, ascii: !NON_ASCII.test(dir), policy: c.policy };
      // DST itself may be a symlink to a directory (rsync follows it); below it, nothing is followed
      d = metaOf((top ? lstatSync : statSync)(sysPath(dir, dest.ascii), { bigint: true }));
    }
    if (!d || (d.mode & 0o170000) !== 0o040000) return { same: false };
    const s = lstatSync(sysPath(base + top, !NON_ASCII.test(base + top)), { bigint: true });
    return { dest, same: sameEntry(metaOf(s), d, c.policy) };
  } catch {
    return { same: false };
  }
}
