// Crawl every source and feed its entries to the bucketer (live: buckets reach the supervisor
// while the crawl goes on). Records every directory for the final metadata pass.
import { join } from 'node:path';
import type { Bucketer } from './bucketer.ts';
import type { RunConfig } from './config.ts';
import { DirList } from './dir-list.ts';
import type { RunState } from './run-state.ts';
import { sourceEntriesFor } from './remote-crawl.ts';
import { compileFilters } from './filter.ts';
import { FeedDestCheck } from './feed-dest-check.ts';
import type { CrawlHooks } from './crawler.ts';
import { isRemote } from './config.ts';
import { HardlinkHold } from './hardlinks.ts';
import { hasFlag } from './rsync-args.ts';
import type { Stats } from './stats.ts';
import type { Entry, EngineEvent } from './types.ts';

export interface FeedContext {
  cfg: RunConfig;
  runDir: string;
  bucketer: Bucketer;
  stats: Stats;
  signal: AbortSignal;
  emit(e: EngineEvent): void;
  /** Filled with one directory list per source. */
  dirLists: DirList[];
  /** Journal of this run: finished subtrees are recorded, and skipped when resuming. */
  state?: RunState;
  /** --retry-failed: per source, the list of paths to run again (null: nothing for it). */
  retry?: Array<string | null>;
}

/** The crawl may read from inside directories (inside-dir.ts): no path rsync gets depends on the working directory. */
export function insideReadsFor(cfg: Pick<RunConfig, 'sources' | 'destination'>): boolean {
  return [...cfg.sources.map((s) => s.base), cfg.destination].every((p) => p.startsWith('/') || isRemote(p));
}

export async function feedSources(ctx: FeedContext): Promise<void> {
  const { cfg, stats, bucketer } = ctx;
  const t0 = Date.now();
  const filter = compileFilters(cfg.filters);
  const hold = hasFlag(cfg.rsyncOpts, 'H', 'hard-links') ? new HardlinkHold() : null;
  const destCheck = new FeedDestCheck(cfg, stats, ctx.signal);
  const insideReads = insideReadsFor(cfg);
  for (let i = 0; i < cfg.sources.length && !ctx.signal.aborted; i++) {
    const state = ctx.state;
    const dirs = new DirList(join(ctx.runDir, `dirs-${i}.list`), !!(state?.resumed || state?.keptDirLists));
    ctx.dirLists.push(dirs);
    if (state?.sourceCrawled(i)) continue;
    const retry = ctx.retry?.[i];
    if (ctx.retry && !retry) continue;
    const manifest = retry ? { file: retry, from0: true } : cfg.filesFrom;
    const hooks: CrawlHooks = {
      signal: ctx.signal,
      dirDelayMs: cfg.crawlDelayMs,
      // with -H, held link groups are bucketed only at the end: no subtree is final before
      skipTree: hold ? undefined : state?.skipTree(i),
      onTreeDone: hold || !state ? undefined : (path) => state.treeDone(i, path),
      filter,
      oneFileSystem: cfg.oneFileSystem,
      onDir: (rel) => dirs.add(rel),
      insideReads,
      // no rsync running (a no-op re-run, so far): the crawl may have a second core
      othersIdle: () => stats.workers.size === 0,
      // ...and none is about to (every entry so far is in place in DST)
      crawlIsAll: () => stats.filesTotal > 0 && stats.filesSame === stats.filesTotal,
      onSame: (size) => {
        stats.filesTotal++;
        stats.bytesTotal += size;
        stats.filesDone++;
        stats.bytesDone += size;
        stats.filesSame++;
        stats.bytesSame += size;
      },
      onDirDiffers: () => stats.dirsDiffer++,
      onDestExtras: () => stats.destExtras++,
      // whole subtrees go to rsync as one name (bucketer.ts); never with -H (link groups)
      ...(hold ? {} : bucketer.treeHooks()),
      onError: (path, err, vanished) => {
        if (vanished) stats.crawlWarnings++;
        else stats.crawlErrors++;
        ctx.emit({ type: 'crawl-error', path: path.toString(), error: err.code ?? err.message, vanished });
      },
    };
    destCheck.hook(hooks);
    const entries = sourceEntriesFor(cfg, cfg.sources[i], manifest, hooks);
    const add = (e: Entry) => {
      stats.filesTotal++;
      stats.bytesTotal += e.size;
      if (!hold?.take(e)) bucketer.add(i, e);
    };
    // (a local crawl hands over a directory's entries at a time)
    for await (const got of entries) {
      if (Array.isArray(got)) for (const e of got) add(e);
      else add(got);
    }
    dirs.flush();
    // hardlink groups travel whole, after their source's crawl (their names may be far apart)
    if (hold) for (const group of hold.drain()) bucketer.addGroup(i, group);
    bucketer.flush();
    if (!ctx.signal.aborted) state?.crawlDone(i);
  }
  stats.crawlDone = !ctx.signal.aborted;
  stats.crawlMs = Date.now() - t0;
  ctx.emit({ type: 'crawl-done', files: stats.filesTotal, bytes: stats.bytesTotal, elapsedMs: stats.crawlMs });
}
