// The supervisor's slots (1 … -p): the rsync each one runs, and the rsyncs that left their slot
// early because their work was done (winding down). What runs next and what an outcome means
// is the supervisor's; this only keeps track, mirrored in Stats' live workers.
import type { RsyncRun } from './rsync-process.ts';
import type { LiveWorker } from './stats.ts';
import type { Bucket } from './types.ts';

export interface Running {
  bucket: Bucket;
  run: RsyncRun;
  live: LiveWorker;
  /** When it took its slot, and when it gave the slot up (winding down): a sequence, not a time. */
  startSeq?: number;
  windSeq?: number;
  /** Stopped because a bucket that wound down before it started failed and halted the run. */
  revoked?: boolean;
}

export class Slots {
  private running = new Map<number, Running>();
  /**
   * rsyncs that printed their final statistics: their work is done and they only wind down
   * (rsync waits for its helper processes in 20 ms sleeps, ~40 ms locally, an ssh teardown
   * remotely). Their slot already runs the next bucket; their outcome counts when they exit.
   */
  private winding = new Set<Running>();
  private seq = 0;

  /** `live`: Stats' live workers by slot (kept in step with the slots). */
  constructor(private live: Map<number, LiveWorker>) {}

  /** Slots taken (rsyncs winding down do not hold one). */
  get taken(): number {
    return this.running.size;
  }

  /** Some rsync is still alive, in a slot or winding down. */
  get busy(): boolean {
    return this.running.size > 0 || this.winding.size > 0;
  }

  /** Sends `sig` to every rsync still alive, winding down or not. */
  signal(sig: NodeJS.Signals): void {
    for (const r of [...this.running.values(), ...this.winding]) r.run.signal(sig);
  }

  /** The lowest free slot number. */
  free(): number {
    let slot = 1;
    while (this.running.has(slot)) slot++;
    return slot;
  }

  take(slot: number, r: Running): void {
    r.startSeq = ++this.seq;
    this.running.set(slot, r);
    this.live.set(slot, r.live);
  }

  /** The rsync in `slot` (if it still runs `bucket`) gives its slot up and winds down; false if it does not. */
  windDown(slot: number, bucket: Bucket): boolean {
    const r = this.running.get(slot);
    if (!r || r.bucket !== bucket) return false;
    this.running.delete(slot);
    this.live.delete(slot);
    r.windSeq = ++this.seq;
    this.winding.add(r);
    return true;
  }

  /**
   * `gone` wound down, then failed so that no other bucket may start (a full destination): the
   * rsyncs that took a slot after it gave its own up started too soon. They are stopped
   * (SIGTERM: rsync removes its temporary file) and marked revoked, so they go back to the queue.
   */
  revokeAfter(gone: Running): void {
    if (gone.windSeq === undefined) return;
    for (const r of this.running.values()) {
      if ((r.startSeq ?? 0) < gone.windSeq) continue;
      r.revoked = true;
      r.run.signal('SIGTERM');
      r.run.signal('SIGCONT');
    }
  }

  /** Forgets an rsync that exited, whether it still held its slot or was winding down; what it was. */
  forget(slot: number, bucket: Bucket): Running | undefined {
    const r = this.running.get(slot);
    if (r?.bucket === bucket) {
      this.running.delete(slot);
      this.live.delete(slot);
      return r;
    }
    for (const w of this.winding) {
      if (w.bucket !== bucket) continue;
      this.winding.delete(w);
      return w;
    }
    return undefined;
  }
}
