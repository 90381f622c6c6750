// Which destination check the crawl of a run gets (dest-check.ts has the rules): a local DST's
// path, or the listing of a DST on an ssh host — which may still be arriving when the crawl
// starts (ssh-stream.ts): the crawl then reads SRC meanwhile and asks for the check when it
// needs it (CrawlHooks.destReady, early-reads.ts).
import { opendirSync } from 'node:fs';
import { isRemote, type RunConfig } from './config.ts';
import type { CrawlHooks } from './crawler.ts';
import { destCheckPolicy, type CheckPolicy } from './dest-check.ts';
import type { Stats } from './stats.ts';

export class FeedDestCheck {
  /** The check as it is now (none while a listing is still arriving). */
  private check: CrawlHooks['destCheck'];
  private readonly policy: CheckPolicy | undefined;
  private listed: Promise<void> | undefined;

  constructor(
    private readonly cfg: RunConfig,
    private readonly stats: Stats,
    private readonly signal: AbortSignal,
  ) {
    this.policy = destCheckPolicy(cfg);
    this.check = this.policy && this.checkNow(this.policy);
    stats.extrasKnown = !!this.check?.policy.extras;
    stats.pullChecked = !!this.check && !this.check.index && cfg.sources.every((s) => isRemote(s.arg));
  }

  /** Sets a source's crawl hooks: the check, or how to wait for it. */
  hook(hooks: CrawlHooks): void {
    hooks.destCheck = this.check;
    if (this.policy && this.cfg.destListing) hooks.destReady = () => this.orCancel(this.arrived().then(() => void (hooks.destCheck = this.check)));
  }

  /** The listing arrived (or failed: no check then), once. */
  private arrived(): Promise<void> {
    const listing = this.cfg.destListing;
    return (this.listed ??= (listing ?? Promise.resolve(null))
      .catch(() => null)
      .then((index) => {
        this.cfg.destIndex = index;
        this.cfg.destListing = undefined;
        this.check = this.checkNow(this.policy!);
        this.stats.extrasKnown = !!this.check?.policy.extras;
      }));
  }

  /** A cancelled run does not wait for the listing: its crawl ends at once. */
  private orCancel(p: Promise<void>): Promise<void> {
    const signal = this.signal;
    return Promise.race([p, new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })))]);
  }

  /**
   * The check's DST: a local path, or the listing of a DST on an ssh host that the pre-flight
   * took (remote-preflight.ts; none for a DST it made, or when it could not be had whole).
   */
  private checkNow(policy: CheckPolicy): CrawlHooks['destCheck'] {
    const cfg = this.cfg;
    if (!isRemote(cfg.destination)) {
      return pullIntoEmpty(cfg) ? undefined : { root: cfg.destination, policy };
    }
    const index = cfg.destIndex;
    if (!index) return undefined;
    this.stats.destListed = index.size;
    return { root: '', policy, index };
  }
}

/**
 * A pull into an empty (or missing) DST: nothing there can be in place, so there is no check (its
 * listing then goes without the check's fields, source-listing.ts, and the directory pass runs).
 */
export function pullIntoEmpty(cfg: RunConfig): boolean {
  return cfg.sources.every((s) => isRemote(s.arg)) && emptyOrMissing(cfg.destination);
}

/** A directory with nothing in it, or none at all. */
function emptyOrMissing(dir: string): boolean {
  try {
    const d = opendirSync(dir);
    try {
      return d.readSync() === null;
    } finally {
      d.closeSync();
    }
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
