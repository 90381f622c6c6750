// The supervisor's slots (1 … -p): the rsync each one runs, and the rsyncs that left their slot
// early because their work was done (winding down). What runs next and what an outcome means
// is the supervisor's; this only keeps track, mirrored in Stats' live workers.
import type { RsyncRun } from './rsync-process.ts';
import type { LiveWorker } from './live-worker.ts';
import type { Bucket } from './types.ts';

export interface Running {
  bucket: Bucket;
  run: RsyncRun;
  live: LiveWorker;
}

export class Slots {
  private running = new Map<number, Running>();
  /**
   * rsyncs that printed their final statistics: their work is done and they only wind down
   * (rsync waits for its helper processes in 20 ms sleeps, ~40 ms locally, an ssh teardown
   * remotely). Their slot already runs the next bucket; their outcome counts when they exit.
   */
  private winding = new Set<Running>();

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
    this.running.set(slot, r);
    this.live.set(slot, r.live);
  }

  /** The rsync in `slot` (if it still runs `bucket`) gives its slot up and winds down; false if it does not. */
  windDown(slot: number, bucket: Bucket): boolean {
    const r = this.running.get(slot);
    if (!r || r.bucket !== bucket) return false;
    this.running.delete(slot);
    this.live.delete(slot);
    this.winding.add(r);
    return true;
  }

  /** Forgets an rsync that exited, whether it still held its slot or was winding down. */
  forget(slot: number, bucket: Bucket): void {
    const r = this.running.get(slot);
    if (r?.bucket === bucket) {
      this.running.delete(slot);
      this.live.delete(slot);
      return;
    }
    for (const w of this.winding) if (w.bucket === bucket) this.winding.delete(w);
  }
}
