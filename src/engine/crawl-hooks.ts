// What a crawl's caller hears and decides (crawler.ts): errors, directories met, filters, resumed
// subtrees, whole-directory subtrees, the destination check, and the hints and test hooks for its
// reader threads (dir-ahead.ts).
import type { Stats } from 'node:fs';
import type { AheadMode } from './ahead-decision.ts';
import type { CheckPolicy } from './dest-check.ts';
import type { DestIndex } from './remote-dest.ts';

export interface CrawlHooks {
  /** An entry that could not be read; vanished = it disappeared while crawling (ENOENT). */
  onError?(path: Buffer, error: NodeJS.ErrnoException, vanished: boolean): void;
  /** Every directory met (relative path, '.' for the base itself), for the metadata pass. */
  onDir?(path: Buffer, stat: Stats): void;
  /** Return false to leave an entry (and, for a directory, everything below it) out. */
  filter?(path: Buffer, isDir: boolean, stat: Stats): boolean;
  /** Resume: true for a directory whose whole subtree an earlier run already bucketed. */
  skipTree?(path: Buffer): boolean;
  /** Every entry below this directory (relative path, '.' for the base) has been yielded. */
  onTreeDone?(path: Buffer): void;
  /** Test hook: pause this long before reading each directory (simulates a slow filesystem). */
  dirDelayMs?: number;
  /** Do not descend into directories on another filesystem than the source's (rsync -x). */
  oneFileSystem?: boolean;
  signal?: AbortSignal;
  /**
   * Subtrees, for naming a whole directory to rsync instead of its entries: enterDir before a
   * directory's entries, leaveDir after the last entry of its subtree (enterDir/leaveDir nest);
   * pruned when something below the directories entered and not yet left was left out (filter
   * rules, a resumed subtree, a mount point, an error), so rsync's own recursion there would
   * not give the same entries.
   */
  enterDir?(path: Buffer): void;
  leaveDir?(path: Buffer): void;
  pruned?(): void;
  /**
   * The destination check (dest-check.ts): `root` is the local DST (the directory the source's
   * relative paths land in). An entry DST already has as rsync would leave it is not yielded:
   * onSame hears of it instead. onDirDiffers: a directory DST lacks or has with other metadata.
   */
  destCheck?: { root: string; policy: CheckPolicy; index?: DestIndex };
  /**
   * DST's listing is still arriving (a DST on an ssh host): settles once destCheck is what it
   * will be (the listing's check, or none). The crawl reads SRC meanwhile (early-reads.ts).
   */
  destReady?(): Promise<void>;
  /**
   * Read directories from inside them (inside-dir.ts): only when every local path the run hands
   * to other processes (SRC, DST) is absolute, so that a working directory that cannot be
   * re-entered, which leaves the process at '/', changes nothing they see.
   */
  insideReads?: boolean;
  onSame?(size: number): void;
  onDirDiffers?(): void;
  /** A directory's DST twin holds a name SRC lacks (destCheck.policy.extras). */
  onDestExtras?(): void;
  /**
   * Nothing but the crawl uses the CPU now (no rsync running): on a small machine a reader
   * thread may then share the reads with the walk (dir-ahead.ts). Absent: the crawl is all.
   */
  othersIdle?(): boolean;
  /**
   * Nothing but the crawl will want the CPU soon either (a re-run that found everything in place
   * so far): a crawl that is plainly long may get its threads early. Absent: the crawl is all.
   */
  crawlIsAll?(): boolean;
  /** Test hook: reader threads from the start, sharing the reads this way (else env MULTISYNC_CRAWL_POOL). */
  readers?: AheadMode;
}
