// A worker host's shared ssh connections (workers.ts): the pre-flight's, and one more per
// SESSIONS_PER_CONNECTION buckets the host runs at once. sshd refuses sessions beyond MaxSessions
// (10 by default) on one connection: --workers H -p 12 through one had sessions refused ('no more
// sessions'; some buckets then opened a connection of their own, one failed with exit 255). A
// new connection is set up by its first bucket alone; the host takes no other bucket until its
// control socket exists (ssh makes it after authentication): buckets started meanwhile would each
// open a connection of their own, and many at once run into sshd's MaxStartups.
import { existsSync } from 'node:fs';
import { sshHost } from './remote.ts';
import { exitConnections } from './ssh-control.ts';

export const SESSIONS_PER_CONNECTION = 8;
/** How often the socket of a connection being set up is looked for. */
const POLL_MS = 20;

export class WorkerConnections {
  /** Per host (by index): buckets running on each of its connections. */
  private sessions = new Map<number, number[]>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Connections being set up that a host waits for, by `host:connection`. */
  private waiting = new Map<string, [number, number]>();
  private open: () => void = () => {};

  /** `ssh`: sshArgv's, with ControlPath=DIR/%C (the pre-flight's connection to each host). */
  constructor(
    private readonly ssh: string[],
    private readonly dir: string | undefined,
  ) {}

  /** The connection a bucket on host `i` would use now, or null while a new one is being set up. */
  pick(i: number): number | null {
    const s = this.of(i);
    let c = s.findIndex((n) => n < SESSIONS_PER_CONNECTION);
    if (c < 0) c = s.length;
    if (c === 0 || !this.dir || !(s[c] > 0) || existsSync(this.path(i, c))) return c;
    this.waiting.set(`${i}:${c}`, [i, c]);
    this.timer ??= setInterval(() => this.look(), POLL_MS);
    this.timer.unref?.();
    return null;
  }

  take(i: number, c: number): void {
    const s = this.of(i);
    s[c] = (s[c] ?? 0) + 1;
  }

  give(i: number, c: number): void {
    const s = this.of(i);
    s[c]--;
    // (the bucket that was setting a connection up ended without it: the next one tries)
    if (s[c] === 0) this.look();
  }

  /** The ssh argv for connection `c` to host `i`. */
  argv(i: number, c: number): string[] {
    if (!this.dir || c === 0) return this.ssh;
    return this.ssh.map((w) => (w === `ControlPath=${this.dir}/%C` ? `ControlPath=${this.path(i, c)}` : w));
  }

  /** Calls `f` when a host that was waiting for a connection may take buckets again. */
  onOpen(f: () => void): void {
    this.open = f;
  }

  /** Stops looking for sockets. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.waiting.clear();
  }

  /** Ends the extra connections that came up to every host (`names` by index), all at once. */
  close(names: string[]): Promise<void> {
    this.stop();
    const exits: string[][] = [];
    for (const [i, s] of this.sessions) {
      for (let c = 1; c < s.length; c++) if (existsSync(this.path(i, c))) exits.push([...this.argv(i, c), '-O', 'exit', sshHost(names[i])]);
    }
    return exitConnections(exits);
  }

  private of(i: number): number[] {
    let s = this.sessions.get(i);
    if (!s) this.sessions.set(i, (s = []));
    return s;
  }

  private path(i: number, c: number): string {
    return `${this.dir}/h${i}-s${c}`;
  }

  private look(): void {
    const before = this.waiting.size;
    for (const [key, [i, c]] of this.waiting) if (!(this.of(i)[c] > 0) || existsSync(this.path(i, c))) this.waiting.delete(key);
    if (!this.waiting.size && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.waiting.size < before) this.open();
  }
}
