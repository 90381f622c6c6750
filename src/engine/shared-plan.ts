// Many-to-one (--shared DIR): coordinators started on several hosts (SRC and DST at the same
// paths on each, DIR on shared storage) share one plan and split its buckets between them.
// Hosts may join a running migration at any time.
//
//   DIR/command.json        what the plan copies (sources, destination, options): a joining
//                           coordinator must run the same command
//   DIR/crawler             who crawls: created with O_EXCL by the first coordinator
//   DIR/buckets/NNNNNN.list the bucket lists, published by the crawler; .json = their meta,
//                           written under a temporary name and renamed (readers never see half)
//   DIR/claims/NNNNNN       who runs a bucket: created with O_EXCL, so exactly one host wins
//   DIR/done/NNNNNN         the bucket succeeded; DIR/failed/NNNNNN(.log, .list) it failed
//   DIR/crawl-done          the crawl ended; holds the number of buckets
//
// Every coordinator (the crawler too) picks new buckets up by polling DIR/buckets and claims each
// one just before it would start it; a bucket someone else claimed is watched until it is done or
// failed. Claims and the crawler file are kept alive by a heartbeat (their mtime changes every
// lease/4); one that has not changed for a whole lease, as seen by the watcher's own clock (no
// clock sync needed), belongs to a dead coordinator: it is taken over by renaming it away (only
// one rename succeeds) and claiming again. A dead crawler's crawl is redone by a survivor, its
// new buckets numbered after the last published one. The crawler waits for every bucket to
// settle, then runs the directory-metadata pass, last. The bucket files are read and written in
// shared-buckets.ts, the lease files in lease-files.ts; this module is one coordinator's part.
import { existsSync, unlinkSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { bucketName } from './bucket-files.ts';
import type { Bucketer } from './bucketer.ts';
import { createExclusive, LeaseWatch } from './lease-files.ts';
import { crawlTotal, markCrawlDone, markDone, markFailed, publishBucket, readPublished, settleForeign } from './shared-buckets.ts';
import type { RunConfig } from './config.ts';
import type { Stats } from './stats.ts';
import type { Supervisor } from './supervisor.ts';
import type { Bucket, EngineEvent, Outcome } from './types.ts';

const POLL_MS = 300;
const DEFAULT_LEASE_MS = 60_000;

export class SharedPlan {
  readonly dir: string;
  readonly me = `${hostname()}:${process.pid}`;
  private leaseMs: number;
  private nextSeen = 1;
  private seen = new Map<number, Bucket>();
  /** Buckets this coordinator claimed (running, queued or finished here). */
  private mine = new Set<number>();
  private finished = new Set<number>();
  /** Buckets another coordinator claimed, watched until they settle. */
  private foreign = new Map<number, Bucket>();
  private leases: LeaseWatch;
  crawling = false;
  private heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private cfg: RunConfig,
    private runDir: () => string,
    private emit: (e: EngineEvent) => void,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.dir = cfg.shared!;
    this.leaseMs = Number(env.MULTISYNC_SHARED_LEASE_MS) || DEFAULT_LEASE_MS;
    this.leases = new LeaseWatch(this.me, this.leaseMs);
    this.heartbeat = setInterval(() => this.beat(), Math.max(50, this.leaseMs / 4));
    this.heartbeat.unref?.();
  }

  private path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Keeps our claims (and the crawler file) alive. */
  private beat(): void {
    const now = new Date();
    const touch = (p: string) => {
      try {
        utimesSync(p, now, now);
      } catch {
        /* gone */
      }
    };
    if (this.crawling) touch(this.path('crawler'));
    for (const id of this.mine) if (!this.finished.has(id)) touch(this.path('claims', bucketName(id)));
  }

  /** The crawler publishes a bucket: its list, then its meta (renamed into place). */
  publish(b: Bucket): void {
    publishBucket(this.dir, b);
  }

  /** Claims a bucket before it starts here; false when another coordinator has it. */
  claim(b: Bucket): boolean {
    if (this.mine.has(b.id)) return true;
    if (createExclusive(this.path('claims', bucketName(b.id)), `${this.me}\n`)) {
      this.mine.add(b.id);
      return true;
    }
    this.foreign.set(b.id, b);
    return false;
  }

  done(b: Bucket): void {
    this.finished.add(b.id);
    markDone(this.dir, b, this.me);
  }

  failed(b: Bucket, o: Outcome): void {
    this.finished.add(b.id);
    markFailed(this.dir, b, o, this.me);
  }

  /** Ends our part: claims of buckets that did not finish here go, so others take them at once. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const id of this.mine) {
      if (this.finished.has(id)) continue;
      try {
        unlinkSync(this.path('claims', bucketName(id)));
      } catch {
        /* gone */
      }
    }
  }

  /** New buckets published since the last call, in id order. */
  private poll(): Bucket[] {
    const out: Bucket[] = [];
    for (;;) {
      const b = readPublished(this.dir, this.nextSeen, this.runDir);
      if (!b) break;
      this.seen.set(b.id, b);
      out.push(b);
      this.nextSeen++;
    }
    return out;
  }

  /**
   * Feeds the local supervisor from the shared plan until every bucket of it settled: crawls
   * (publishing) when this coordinator is, or becomes, the crawler; claims happen at start.
   */
  async follow(feed: () => Promise<void>, o: { supervisor: Supervisor; stats: Stats; bucketer: Bucketer; signal: AbortSignal }): Promise<void> {
    const { supervisor, stats, bucketer, signal } = o;
    let crawl: Promise<void> | null = null;
    const startCrawl = (takeover: boolean) => {
      this.crawling = true;
      bucketer.nextId = Math.max(bucketer.nextId, this.nextSeen, ...[...this.seen.keys()].map((k) => k + 1));
      if (takeover) this.emit({ type: 'shared', role: 'crawler', host: this.me, note: 'the earlier crawler stopped; crawling again' });
      crawl = feed().then(() => {
        if (!signal.aborted) markCrawlDone(this.dir, bucketer.nextId - 1, this.me);
      });
    };
    if (createExclusive(this.path('crawler'), `${this.me}\n`)) startCrawl(false);
    this.emit({ type: 'shared', role: this.crawling ? 'crawler' : 'joiner', host: this.me, note: this.dir });
    for (;;) {
      for (const b of this.poll()) {
        stats.bucketsTotal++;
        if (!this.crawling) {
          stats.filesTotal += b.files;
          stats.bytesTotal += b.bytes;
        }
        supervisor.enqueue(b);
      }
      for (const [id, b] of this.foreign) {
        if (settleForeign(this.dir, b, stats)) this.foreign.delete(id);
        else if (this.leases.stale(this.path('claims', bucketName(id))) || !existsSync(this.path('claims', bucketName(id)))) {
          // its coordinator died (or gave it back): ours now
          const claim = this.path('claims', bucketName(id));
          if (existsSync(claim) ? this.leases.takeOver(claim) : createExclusive(claim, `${this.me}\n`)) {
            this.foreign.delete(id);
            this.mine.add(id);
            supervisor.enqueue(b);
          }
        }
      }
      const total = crawlTotal(this.dir);
      if (total !== null && !this.crawling) stats.crawlDone = true;
      if (signal.aborted) break;
      // done when every bucket of the plan is ours (queued ones claimed at start) or settled
      if (total !== null && this.nextSeen > total && this.foreign.size === 0 && supervisor.leftover().length === 0) break;
      if (!this.crawling && total === null && this.leases.stale(this.path('crawler')) && this.leases.takeOver(this.path('crawler'))) startCrawl(true);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (crawl) await crawl;
  }
}
