// The gate (connect-gate.ts StartGate) in front of the buckets of a run with a far-end daemon
// (remote-daemon.ts): shut while the daemon starts, and while the slots' own connections are
// opened bare for it.
import type { StartGate } from './connect-gate.ts';
import type { RemoteDaemon } from './remote-daemon.ts';

/** How long buckets wait for the daemon before they go as sessions: about what a session takes to start. */
export const HOLD_MS = 2000;

/**
 * Holds bucket starts while the daemon is starting (a session would cost what the wait does, and
 * more CPU on the far end), for at most HOLD_MS; then, or once it answered or was given up, asks
 * `inner` (the slot connections' gate, connect-gate.ts) as before.
 */
export class DaemonGate implements StartGate {
  private open: () => void = () => {};
  private held = false;
  private until = 0;

  constructor(
    private daemon: RemoteDaemon,
    private inner?: StartGate,
    private holdMs = HOLD_MS,
    /** The run's slots (-p). */
    private slots = 1,
  ) {
    // (the slots' own connections are opened as soon as the daemon answers, not when a bucket asks)
    daemon.onAnswer(() => this.openFrom(1));
  }

  /**
   * Opens the own connections of `slot` and the slots after it bare, for the daemon
   * (slot-openers.ts): as many at once as the slot connections' gate lets connect (it counts
   * them as connecting).
   */
  private openFrom(slot: number): void {
    for (let s = slot; s <= this.slots; s++) {
      if (!this.daemon.needsOpening(s)) continue;
      if (this.inner && !this.inner.mayStart(s)) break;
      void this.daemon.openers.open(s).then((up) => {
        if (!up) this.inner?.ended(s);
      });
    }
  }

  private hold(until: Promise<void>): void {
    if (this.held) return;
    this.held = true;
    void until.then(() => {
      if (!this.held) return;
      this.held = false;
      this.open();
    });
  }

  mayStart(slot: number): boolean {
    // (those the gate could not let connect when the daemon answered)
    if (this.daemon.needsOpening(slot)) this.openFrom(slot);
    if (this.daemon.openers.opening(slot)) {
      this.hold(this.daemon.openers.open(slot).then(() => undefined));
      return false;
    }
    if (this.daemon.starting) {
      if (!this.until) this.until = Date.now() + this.holdMs;
      if (Date.now() < this.until) {
        if (!this.held) {
          this.held = true;
          const release = () => {
            if (!this.held) return;
            this.held = false;
            this.open();
          };
          this.daemon.onSettled(release);
          setTimeout(release, this.until - Date.now()).unref?.();
        }
        return false;
      }
    }
    return this.inner ? this.inner.mayStart(slot) : true;
  }

  ended(slot: number): void {
    this.inner?.ended(slot);
  }

  onOpen(f: () => void): void {
    this.open = f;
    this.inner?.onOpen(f);
  }

  close(): void {
    this.held = false;
    this.inner?.close();
  }
}
