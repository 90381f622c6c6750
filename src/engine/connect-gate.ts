// How many of a run's per-slot ssh connections (slot-ssh.ts) are set up at once. sshd refuses
// new connections while MaxStartups others are not yet authenticated (default 10:30:100: 30% of
// them once 10 are pending, more after, whoever opens them), so `-p 16` to one host, whose first
// buckets opened 15 connections at once, had some reset ("kex_exchange_identification", exit
// 255): each retried after a backoff, and with --retries 0 the run failed. A slot whose
// connection is not up yet waits while CONNECTING_MAX others are being set up. A connection is
// up once its control socket exists: ssh makes it after authentication.
import { readdirSync } from 'node:fs';

/** Connections set up at once, at most: below sshd's default MaxStartups (10), with room for others. */
export const CONNECTING_MAX = 8;
/** How often the sockets of the connections being set up are looked for. */
const POLL_MS = 20;

/** What the supervisor asks before a bucket starts in a slot (supervisor-config.ts). */
export interface StartGate {
  /** Whether a bucket may start in `slot` now; false: `onOpen`'s callback comes once one may. */
  mayStart(slot: number): boolean;
  /** The rsync in `slot` ended: a connection it was setting up is not pending any more. */
  ended(slot: number): void;
  onOpen(f: () => void): void;
  close(): void;
}

export class ConnectGate implements StartGate {
  private connecting = new Set<number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private held = false;
  private open: () => void = () => {};

  /** `up()`: the slots whose connection is up now. */
  constructor(
    private readonly up: () => Set<number>,
    private readonly max = CONNECTING_MAX,
  ) {}

  mayStart(slot: number): boolean {
    if (this.connecting.has(slot) || this.up().has(slot)) return true;
    if (this.connecting.size >= this.max) {
      this.held = true;
      return false;
    }
    this.connecting.add(slot);
    this.timer ??= setInterval(() => this.look(), POLL_MS);
    this.timer.unref?.();
    return true;
  }

  ended(slot: number): void {
    if (this.connecting.delete(slot)) this.settled();
  }

  onOpen(f: () => void): void {
    this.open = f;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.connecting.clear();
  }

  private look(): void {
    const up = this.up();
    let any = false;
    for (const slot of this.connecting) {
      if (up.has(slot)) any = this.connecting.delete(slot);
    }
    if (any) this.settled();
  }

  /** Fewer connections pending: stop looking when none is, and let a held slot start. */
  private settled(): void {
    if (!this.connecting.size && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.held && this.connecting.size < this.max) {
      this.held = false;
      this.open();
    }
  }
}

/** Slots whose shared connection is up: control sockets in `dir` named `…-N` (slot 1: the pre-flight's, always up). */
export function upSlots(dir: string): Set<number> {
  const up = new Set<number>([1]);
  try {
    for (const name of readdirSync(dir)) {
      const m = /-(\d+)$/.exec(name);
      if (m) up.add(Number(m[1]));
    }
  } catch {
    /* no directory: no slot connection is up */
  }
  return up;
}
