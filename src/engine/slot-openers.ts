// A far link's slots each have a connection of their own (slot-ssh.ts). Set up by a slot's first
// bucket, it costs a session (the far user's login shell and its rc files); for a push through the
// far end's daemon (remote-daemon.ts) each one is opened bare instead: `ssh -N` authenticates
// and starts no session. At most CONNECTING_MAX at once (sshd's MaxStartups, connect-gate.ts).
import { existsSync } from 'node:fs';
import { CONNECTING_MAX } from './connect-gate.ts';
import { sshAsync } from './ssh-control.ts';

/** How long one connection may take to come up. */
const OPEN_MS = 15_000;

export class SlotOpeners {
  private opened = new Map<number, Promise<boolean>>();
  private inFlight = new Set<number>();
  private connecting = 0;
  private queue: Array<() => void> = [];

  constructor(
    /** The shared connection's argv (ssh-control.ts sshArgv: ControlPath=DIR/%C, ControlPersist). */
    private ssh: string[],
    private host: string,
    private controlDir: string,
    /** The control socket of a slot's connection (the pre-flight's where the slot shares it), or null. */
    private socketOf: (slot: number) => string | null,
  ) {}

  /** `slot` has a connection of its own that is not up and not tried yet. */
  needed(slot: number): boolean {
    if (this.opened.has(slot)) return false;
    const socket = this.socketOf(slot);
    return !!socket && socket !== this.socketOf(1) && !existsSync(socket);
  }

  /** Opens `slot`'s connection (once); true once it is up, false when it could not be (the slot then goes as sessions). */
  open(slot: number): Promise<boolean> {
    let p = this.opened.get(slot);
    if (!p) {
      this.inFlight.add(slot);
      p = this.turn()
        .then(() => this.openOne(slot))
        .then(() => {
          this.inFlight.delete(slot);
          const socket = this.socketOf(slot);
          return !!socket && existsSync(socket);
        });
      this.opened.set(slot, p);
    }
    return p;
  }

  /** `slot`'s connection is being opened. */
  opening(slot: number): boolean {
    return this.inFlight.has(slot);
  }

  private turn(): Promise<void> {
    if (this.connecting < CONNECTING_MAX) {
      this.connecting++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private async openOne(slot: number): Promise<void> {
    const dir = this.controlDir;
    const argv = this.ssh.map((w) => (w === `ControlPath=${dir}/%C` ? `ControlPath=${dir}/%C-${slot}` : w));
    // (with ControlPersist the master goes to the background once it is up, and this ssh exits)
    await sshAsync([...argv, '-N'], this.host, undefined, OPEN_MS);
    const next = this.queue.shift();
    if (next) next();
    else this.connecting--;
  }
}
