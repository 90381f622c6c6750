// A local crawl is CPU work: on a small machine it gets a core of its own for a while. Until the
// crawl ends, or CRAWL_HOLD_MS at most, the supervisor runs at most one rsync fewer than there
// are cores (Supervisor.setLimit), so the crawl ends sooner and the rest is planned knowing the
// whole tree.
import { availableParallelism } from 'node:os';
import { isRemote, type RunConfig } from './config.ts';
import type { Supervisor } from './supervisor.ts';

/** How long a local crawl keeps a core to itself at most (see crawlLimit). */
export const CRAWL_HOLD_MS = 1000;

/** The cap on rsyncs while the crawl runs; null when there is none (a remote source, or more cores than -p). */
export function crawlLimit(remoteSource: boolean, cores: number, processes: number): number | null {
  return remoteSource || cores > processes ? null : Math.max(1, cores - 1);
}

/** Caps the supervisor for the crawl when crawlLimit says so; the timer that lifts the cap after CRAWL_HOLD_MS, if any. */
export function holdCoreForCrawl(supervisor: Supervisor, cfg: RunConfig, processes: number): ReturnType<typeof setTimeout> | undefined {
  const cores = availableParallelism();
  const limit = crawlLimit(cfg.sources.some((s) => isRemote(s.arg)), cores, processes);
  let unlimit: ReturnType<typeof setTimeout> | undefined;
  if (limit !== null) {
    supervisor.setLimit(limit);
    unlimit = setTimeout(() => supervisor.setLimit(null), CRAWL_HOLD_MS);
  }
  return unlimit;
}
