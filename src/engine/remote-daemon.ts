// Session-free buckets for a push to, or a pull from, an ssh host (daemon-script.ts says why and
// how the far end is set up): once the far end's daemon answers, a bucket's rsync reaches it as
// `host::ms/ABS/PATH/` with `--rsh='ssh … -o ControlMaster=no -S SOCKET -W 127.0.0.1:PORT'`: a
// stdio forward through its slot's shared connection (slot-ssh.ts), so no session, no login
// shell and no key exchange. Until it answers (or where it cannot run: not root, no rsync,
// another rsync on the far end asked for with --rsync-path, …) buckets go as sessions.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { DAEMON_MODULE } from './daemon-script.ts';
import { absoluteOnHost, parseAnswer, refusal, type DaemonRoute } from './daemon-route.ts';
import { answerReader, msdCall, ownSession, writeSecret } from './daemon-session.ts';
import { sshHost } from './remote.ts';
import { SlotOpeners } from './slot-openers.ts';
import { controlSocket } from './ssh-control.ts';
import type { DaemonStart } from './ssh-preflight.ts';
import { sharesConnection } from './slot-ssh.ts';

/** How long the far end may take to start its daemon before the run goes on without it. */
export const START_MS = 15_000;

export class RemoteDaemon {
  private port = 0;
  private absPath: string | null = null;
  private base: string | null = null;
  /** Why it is not (or no longer) used; null while starting or in use. */
  reason: string | null = null;
  ready = false;
  /** Buckets that went through it. */
  routed = 0;
  /** How long its first request took (ms): what a bucket's start costs through it; null until then. */
  probeMs: number | null = null;

  constructor(
    /** The user's remote shell words, without multisync's options. */
    private rshText: string,
    /** The shared connection's argv for starting the far end (ssh-control.ts sshArgv). */
    private ssh: string[],
    private host: string,
    /** The run's remote path there: DST of a push, SRC of a pull. */
    private path: string,
    private controlDir: string,
    private rttMs: () => number | null | undefined,
  ) {
    this.openers = new SlotOpeners(ssh, host, controlDir, (slot) => this.socketOf(slot));
  }

  /**
   * Starts the far end's daemon in a session of its own (a pull whose SRC listing the pre-flight
   * did not start, so it has no session to start in: source-listing.ts), through the shared connection
   * once that is up (the pre-flight's ssh makes it: started beside it, this ssh would race it for
   * the socket and lose, then pay a connection of its own); buckets use it once it answered.
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
    const secret = this.newSecret();
    if (secret) this.stdin = ownSession(this.ssh, this.host, rsync, user, secret, { line: (l) => this.answered(l, localRsync), fail: (why) => this.fail(why) });
  }

  /**
   * Starts the far end's daemon in the pre-flight's session (a push's: after DST's check, before
   * its listing, ssh-preflight.ts; a pull's: beside SRC's listing, source-listing.ts), which saves
   * a session and its login shell: the call for that
   * session's script (daemon-script.ts msd, its answer on stderr) and what the session hands back
   * (ssh-stream.ts). Null where it cannot start (the secret file).
   */
  inline(rsync: string, user: string, localRsync = 'rsync'): DaemonStart | null {
    const secret = this.newSecret();
    if (!secret) return null;
    return {
      call: msdCall(rsync, user),
      linger: {
        stdin: (w) => {
          this.stdin = w;
          w.write(`${secret}\n`);
        },
        stderr: answerReader((l) => this.answered(l, localRsync)),
        closed: () => this.fail('its session ended'),
      },
    };
  }

  /** The run's secret (daemon-session.ts), and the clock for the far end's answer; null (given up) when it cannot be written. */
  private newSecret(): string | null {
    try {
      const { secret, pwFile } = writeSecret(this.controlDir);
      this.pwFile = pwFile;
      this.timer = setTimeout(() => this.fail('no answer in time'), START_MS);
      this.timer.unref?.();
      return secret;
    } catch (e) {
      this.fail(`secret file: ${(e as Error).message}`);
      return null;
    }
  }

  private pwFile = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The far end's stdin: closing it ends the daemon. */
  private stdin: Writable | null = null;

  /** The far end's answer line: the daemon's port (then its first request), or why not. */
  private answered(line: string, localRsync: string): void {
    if (this.reason || this.pwOption) return;
    clearTimeout(this.timer);
    const a = parseAnswer(line);
    const abs = a && absoluteOnHost(this.path, a.home);
    if (!a || !abs) return this.fail(a ? 'a ~user path' : refusal(line));
    this.port = a.port;
    this.absPath = abs;
    this.pwOption = `--password-file=${this.pwFile}`;
    this.probe(localRsync);
    for (const f of this.answerHooks) f();
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
    const root = r.remote.slice(0, r.remote.indexOf('::') + 2 + DAEMON_MODULE.length);
    const at = Date.now();
    const child = spawn(localRsync, ['--list-only', '--no-motd', '-d', r.passwordOption, `--rsh=${r.rsh}`, root], { stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), START_MS);
    timer.unref?.();
    child.on('error', () => this.fail('no local rsync'));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return this.fail(`its first request failed (rsync exit ${code})`);
      if (this.reason) return;
      this.probeMs = Date.now() - at;
      this.ready = true;
      this.settle();
    });
  }

  private fail(why: string): void {
    clearTimeout(this.timer);
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

  /** The pre-flight's control socket (ssh-control.ts), once it is there. */
  private baseSocket(): string | null {
    this.base ??= controlSocket(this.controlDir);
    return this.base;
  }

  /** The control socket of `slot`'s connection (the pre-flight's where the slot shares it), or null before the pre-flight's is there. */
  private socketOf(slot: number | undefined): string | null {
    const base = this.baseSocket();
    if (!base) return null;
    return slot === undefined || sharesConnection(slot, this.rttMs()) ? base : `${base}-${slot}`;
  }

  /** The slots' own connections, opened bare (slot-openers.ts). */
  readonly openers: SlotOpeners;

  /**
   * `slot`'s own connection is one the openers have not tried yet, and is not up: from the
   * daemon's answer on (its first request may still be under way: over a far link both take
   * round trips, and a connection is needed either way, by the daemon's buckets or a session's).
   */
  needsOpening(slot: number): boolean {
    // (answered with its port, and not given up: that includes ready)
    return !!this.pwOption && !this.reason && this.openers.needed(slot);
  }

  private answerHooks: Array<() => void> = [];

  /** `f` runs when the daemon answers with its port (slot-openers.ts starts then, daemon-gate.ts). */
  onAnswer(f: () => void): void {
    this.answerHooks.push(f);
  }

  /** How a bucket in `slot` reaches the remote SRC or DST through the daemon, or null (then it goes as a session); `count`: a bucket (not a pass). */
  route(slot: number | undefined, count = true): DaemonRoute | null {
    if (!this.ready || !this.absPath || !this.pwOption) return null;
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
      remote: `${host}::${DAEMON_MODULE}${this.absPath}`,
      passwordOption: this.pwOption,
    };
  }

  /** Ends the far end's daemon (its script removes its directory); transfers under way finish. */
  stop(): void {
    this.fail('stopped');
    try {
      this.stdin?.end();
    } catch {}
  }
}
