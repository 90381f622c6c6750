// Session-free buckets for a push to an ssh host (daemon-script.ts says why and how the far end
// is set up): once the far end's daemon answers, a bucket's rsync reaches it as
// `host::ms/ABS/DST/` with `--rsh='ssh … -o ControlMaster=no -S SOCKET -W 127.0.0.1:PORT'`: a
// stdio forward through its slot's shared connection (slot-ssh.ts), so no session, no login
// shell and no key exchange. Until it answers (or where it cannot run: not root, no rsync,
// another rsync on the far end asked for with --rsync-path, …) buckets go as sessions.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAEMON_MODULE, DAEMON_SCRIPT } from './daemon-script.ts';
import { shCommand, sshHost } from './remote.ts';
import { sharesConnection } from './slot-ssh.ts';
import { CONNECTING_MAX, type StartGate } from './connect-gate.ts';

/** How long the far end may take to start its daemon before the run goes on without it. */
const START_MS = 15_000;

/** The user the local rsync authenticates as (rsync takes $USER, then $LOGNAME, else "nobody"), if usable in the daemon's config. */
export function authUser(env: NodeJS.ProcessEnv = process.env): string | null {
  const u = env.USER || env.LOGNAME || 'nobody';
  return /^[A-Za-z0-9._-]+$/.test(u) ? u : null;
}

/**
 * DST as an absolute path on the far end: relative paths (and `~`, `~/…`) start in the
 * session's directory, `home`. Null for a form the daemon path does not take (`~user`).
 */
export function absoluteOnHost(path: string, home: string): string | null {
  if (path.startsWith('/')) return path;
  if (path.startsWith('~')) {
    if (path === '~') return home;
    if (!path.startsWith('~/')) return null;
    path = path.slice(2);
  }
  return path === '' || path === '.' ? home : `${home.replace(/\/+$/, '')}/${path}`;
}

/** Why a run's options keep its buckets off the daemon path (they name the far end's rsync or the transport), else null. */
export function daemonBlocker(rsyncOpts: string[]): string | null {
  const o = rsyncOpts.find((x) => /^(--(rsync-path|rsh|port|address|sockopts|password-file|blocking-io|early-input|iconv)(=|$)|-e)/.test(x));
  return o ? `rsync option ${o}` : null;
}

/** Ports to try on the far end's loopback (a random few, above the usual services). */
export function pickPorts(n = 5): number[] {
  return Array.from({ length: n }, () => randomInt(20000, 60000));
}

/** The line daemon-script.ts answers with: the port and the session's directory, or null (no daemon). */
export function parseAnswer(line: string): { port: number; home: string } | null {
  const m = /^multisync-daemon: port (\d+) (\/.*)$/.exec(line);
  return m ? { port: Number(m[1]), home: m[2] } : null;
}

const REFUSALS: Record<string, string> = {
  root: 'the far user is not root',
  rsync: 'no rsync on the far host',
  tmp: 'no temporary directory on the far host',
  port: 'no free port on the far host',
};

/** Why the far end said no, in words (its answer's last word, daemon-script.ts). */
export function refusal(line: string): string {
  const m = /^multisync-daemon: no (\w+)$/.exec(line);
  return m ? (REFUSALS[m[1]] ?? m[1]) : 'no answer';
}

export interface DaemonRoute {
  rsh: string;
  destination: string;
  /** The rsync option that hands the daemon its secret. */
  passwordOption: string;
}

export class RemoteDaemon {
  private child: ChildProcess | null = null;
  private port = 0;
  private absDst: string | null = null;
  private base: string | null = null;
  /** Why it is not (or no longer) used; null while starting or in use. */
  reason: string | null = null;
  ready = false;
  /** Buckets that went through it. */
  routed = 0;

  constructor(
    /** The user's remote shell words, without multisync's options. */
    private rshText: string,
    /** The shared connection's argv for starting the far end (ssh-control.ts sshArgv). */
    private ssh: string[],
    private host: string,
    private dstPath: string,
    private controlDir: string,
    private rttMs: () => number | null | undefined,
  ) {}

  /**
   * Starts the far end's daemon through the shared connection, once that is up (the pre-flight's
   * ssh makes it: started beside it, this ssh would race it for the socket and lose, then pay a
   * connection of its own); buckets use it once it answered.
   */
  start(rsync: string, user: string, localRsync = 'rsync'): void {
    const until = Date.now() + START_MS;
    const wait = () => {
      if (this.reason) return;
      if (this.baseSocket()) return this.launch(rsync, user, localRsync);
      if (Date.now() > until) return this.fail('no shared connection');
      setTimeout(wait, 10).unref?.();
    };
    wait();
  }

  private launch(rsync: string, user: string, localRsync: string): void {
    const secret = randomBytes(24).toString('hex');
    const pwFile = join(this.controlDir, 'daemon-secret');
    try {
      writeFileSync(pwFile, `${secret}\n`, { mode: 0o600 });
    } catch (e) {
      this.reason = `secret file: ${(e as Error).message}`;
      return;
    }
    const command = `sh -c ${shCommand([DAEMON_SCRIPT])} multisync-daemon ${shCommand([rsync, user, ...pickPorts().map(String)])}`;
    const child = spawn(this.ssh[0], [...this.ssh.slice(1), sshHost(this.host), command], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    this.child = child;
    const timer = setTimeout(() => this.fail('no answer in time'), START_MS);
    timer.unref?.();
    child.stdin?.on('error', () => {});
    child.stdin?.write(`${secret}\n`);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      if (this.ready || this.reason) return;
      out += d.toString('latin1');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const line = out.slice(0, nl);
      const a = parseAnswer(line);
      const abs = a && absoluteOnHost(this.dstPath, a.home);
      if (!a || !abs) return this.fail(a ? 'a ~user DST path' : refusal(line));
      this.port = a.port;
      this.absDst = abs;
      this.pwOption = `--password-file=${pwFile}`;
      this.probe(localRsync);
    });
    child.on('error', () => this.fail('ssh did not start'));
    child.on('close', () => {
      clearTimeout(timer);
      this.fail('its session ended');
    });
  }

  private pwOption = '';

  /**
   * One real request before any bucket's: the module listed through the route. It fails where the far
   * sshd refuses forwarding (AllowTcpForwarding no), or the daemon refuses the secret or its
   * chroot; buckets then go as sessions.
   */
  private probe(localRsync: string): void {
    const r = this.routeOf(this.baseSocket()!);
    // (the module's root, not DST: the pre-flight may still be making DST)
    const root = r.destination.slice(0, r.destination.indexOf('::') + 2 + DAEMON_MODULE.length);
    const child = spawn(localRsync, ['--list-only', '--no-motd', '-d', r.passwordOption, `--rsh=${r.rsh}`, root], { stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), START_MS);
    timer.unref?.();
    child.on('error', () => this.fail('no local rsync'));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return this.fail(`its first request failed (rsync exit ${code})`);
      if (this.reason) return;
      this.ready = true;
      this.settle();
    });
  }

  private fail(why: string): void {
    if (!this.reason) this.reason = why;
    this.ready = false;
    this.settle();
  }

  private waiting: Array<() => void> = [];

  /** Starting: not answered yet, not given up. */
  get starting(): boolean {
    return !this.ready && !this.reason;
  }

  /** `f` runs once it answered or was given up (now, if it is not starting). */
  onSettled(f: () => void): void {
    if (this.starting) this.waiting.push(f);
    else f();
  }

  private settle(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }

  /** The pre-flight's control socket (the name ssh gave %C), once it is there. */
  private baseSocket(): string | null {
    if (this.base) return this.base;
    try {
      const name = readdirSync(this.controlDir).find((n) => /^[0-9a-f]{16,}$/.test(n));
      if (name) this.base = join(this.controlDir, name);
    } catch {}
    return this.base;
  }

  /** The control socket of `slot`'s connection (the pre-flight's where the slot shares it), or null before the pre-flight's is there. */
  private socketOf(slot: number | undefined): string | null {
    const base = this.baseSocket();
    if (!base) return null;
    return slot === undefined || sharesConnection(slot, this.rttMs()) ? base : `${base}-${slot}`;
  }

  private opened = new Map<number, Promise<boolean>>();
  private inFlight = new Set<number>();

  /**
   * Opens `slot`'s own connection (a far link's, slot-ssh.ts) as a bare connection (`ssh -N`:
   * authentication, no session, so no shell on the far end) instead of with a session bucket.
   * Resolves true once it is up, false when it could not be (the slot then goes as sessions).
   */
  openSlot(slot: number): Promise<boolean> {
    let p = this.opened.get(slot);
    if (!p) {
      this.inFlight.add(slot);
      p = this.whenConnecting()
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

  /** `slot`'s bare connection is being opened. */
  opening(slot: number): boolean {
    return this.inFlight.has(slot);
  }

  private connecting = 0;
  private queue: Array<() => void> = [];

  /** A turn to set a connection up: at most CONNECTING_MAX at once (sshd's MaxStartups, connect-gate.ts). */
  private whenConnecting(): Promise<void> {
    if (this.connecting < CONNECTING_MAX) {
      this.connecting++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private openOne(slot: number): Promise<void> {
    const dir = this.controlDir;
    const argv = this.ssh.map((w) => (w === `ControlPath=${dir}/%C` ? `ControlPath=${dir}/%C-${slot}` : w));
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const next = this.queue.shift();
        if (next) next();
        else this.connecting--;
        resolve();
      };
      const child = spawn(argv[0], [...argv.slice(1), '-N', sshHost(this.host)], { stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } });
      const timer = setTimeout(() => child.kill('SIGKILL'), START_MS);
      timer.unref?.();
      // (with ControlPersist the master goes to the background once it is up, and this ssh exits)
      child.on('error', done);
      child.on('close', done);
    });
  }

  /** `slot`'s connection is one openSlot() has not tried yet (and is not up). */
  needsOpening(slot: number): boolean {
    if (!this.ready || this.opened.has(slot)) return false;
    const socket = this.socketOf(slot);
    return !!socket && socket !== this.baseSocket() && !existsSync(socket);
  }

  /** How a bucket in `slot` reaches DST through the daemon, or null (then it goes as a session); `count`: a bucket (not a pass). */
  route(slot: number | undefined, count = true): DaemonRoute | null {
    if (!this.ready || !this.absDst || !this.pwOption) return null;
    const socket = this.socketOf(slot);
    // (a slot whose own connection could not be opened bare sets it up with a session bucket)
    if (!socket || (socket !== this.baseSocket() && !existsSync(socket))) return null;
    if (count) this.routed++;
    return this.routeOf(socket);
  }

  private routeOf(socket: string): DaemonRoute {
    const host = sshHost(this.host).replace(/^.*@/, '');
    return {
      rsh: `${this.rshText} -o ControlMaster=no -S ${socket} -W 127.0.0.1:${this.port}`,
      destination: `${host}::${DAEMON_MODULE}${this.absDst}`,
      passwordOption: this.pwOption,
    };
  }

  /** Ends the far end's daemon (its script removes its directory); transfers under way finish. */
  stop(): void {
    this.fail('stopped');
    try {
      this.child?.stdin?.end();
    } catch {}
  }
}

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
  ) {}

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
    // the slots' own connections, opened bare once the daemon is up (RemoteDaemon.openSlot): as
    // many at once as the slot connections' gate lets connect (it counts them as connecting)
    if (this.daemon.needsOpening(slot)) {
      for (let s = slot; s <= this.slots; s++) {
        if (!this.daemon.needsOpening(s)) continue;
        if (this.inner && !this.inner.mayStart(s)) break;
        void this.daemon.openSlot(s).then((up) => {
          if (!up) this.inner?.ended(s);
        });
      }
    }
    if (this.daemon.opening(slot)) {
      this.hold(this.daemon.openSlot(slot).then(() => undefined));
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
