// Worker hosts (--workers h1,h2,… / --workers-file): each bucket runs as
// `ssh HOST rsync … --from0 --files-from=- SRC DST` with its list streamed through ssh's stdin
// (no shared spool). SRC and DST are paths as the worker sees them. -p is per host: a host
// runs at most that many buckets at once, hosts are picked round-robin among the live ones with
// a free slot, over shared connections of at most 8 buckets each (worker-connections.ts). A
// bucket whose ssh fails with 255 while a fresh `ssh HOST true` fails too lost its host, not its
// data: it goes back to the queue without counting as an attempt, and a host that loses
// connections twice in a row is dead (no more buckets). Stopping a bucket (Ctrl-C, pause)
// reaches the remote rsync too: every remote rsync carries a unique marker on its command line
// (a --log-file-format value, inert without --log-file) that `pkill -f` finds.
import { shCommand, sshHost } from './remote.ts';
import { markerOf, remoteKillCommand, workerRsyncArgs } from './worker-commands.ts';
import { startRsync, type RsyncRun, type RsyncSpawn } from './rsync-process.ts';
import { firstLine, sshArgv, sshAsync, sshSync } from './ssh-control.ts';
import { WorkerConnections } from './worker-connections.ts';
import type { EngineEvent, Outcome } from './types.ts';

export interface WorkerHost {
  name: string;
  running: number;
  /** Consecutive lost connections. */
  failures: number;
  dead: boolean;
  lastError?: string;
}

/** An outcome that may say the host, not the bucket, failed. */
export type WorkerOutcome = Outcome & { hostLost?: string };

export interface WorkerPoolConfig {
  hosts: string[];
  /** The user's remote shell (-e), as a string; how multisync reaches the workers. */
  rsh?: string;
  sshControlDir?: string;
  emit(e: EngineEvent): void;
  /** Consecutive lost connections after which a host is dead. */
  maxFailures?: number;
}

const FILES_FROM = /^--files-from=(.*)$/s;

export class WorkerPool {
  readonly hosts: WorkerHost[];
  readonly runId = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex');
  private next = 0;
  private ssh: string[];
  private maxFailures: number;
  /** Each host's shared connections: one per SESSIONS_PER_CONNECTION buckets (worker-connections.ts). */
  private connections: WorkerConnections;

  constructor(private cfg: WorkerPoolConfig) {
    this.hosts = cfg.hosts.map((name) => ({ name, running: 0, failures: 0, dead: false }));
    this.ssh = sshArgv(cfg.rsh, cfg.sshControlDir);
    this.connections = new WorkerConnections(this.ssh, cfg.sshControlDir);
    this.maxFailures = cfg.maxFailures ?? 2;
  }

  live(): WorkerHost[] {
    return this.hosts.filter((h) => !h.dead);
  }

  /** Buckets that may run at once: -p per live host. */
  capacity(perHost: number): number {
    return this.live().length * perHost;
  }

  /** The next live host (round-robin) with a free slot, or null. */
  acquire(perHost: number): WorkerHost | null {
    const n = this.hosts.length;
    for (let k = 0; k < n; k++) {
      const h = this.hosts[(this.next + k) % n];
      if (!h.dead && h.running < perHost && this.connections.pick((this.next + k) % n) !== null) {
        this.next = (this.next + k + 1) % n;
        return h;
      }
    }
    return null;
  }

  /** All hosts are dead: why the run cannot go on; else null. */
  deadReason(): string | null {
    if (this.live().length) return null;
    return `every worker host is unreachable: ${this.hosts.map((h) => `${h.name} (${h.lastError ?? 'lost'})`).join(', ')}`;
  }

  /** Starts one bucket's rsync on `host`. */
  launch(host: WorkerHost, tag: string, s: RsyncSpawn): RsyncRun {
    host.running++;
    const i = this.hosts.indexOf(host);
    const c = this.connections.pick(i) ?? 0;
    this.connections.take(i, c);
    const run = this.start(host, tag, s, true, this.connections.argv(i, c));
    void run.done.then(() => this.connections.give(i, c));
    return run;
  }

  /**
   * Accounts the end of a bucket on its host. Returns why the host failed when the bucket lost
   * its host (it goes back to the queue), else null.
   */
  release(host: WorkerHost, outcome: WorkerOutcome): string | null {
    host.running = Math.max(0, host.running - 1);
    if (outcome.hostLost === undefined) {
      if (outcome.exitCode !== 255) host.failures = 0;
      return null;
    }
    host.failures++;
    host.lastError = outcome.hostLost;
    if (host.failures >= this.maxFailures && !host.dead) {
      host.dead = true;
      this.cfg.emit({ type: 'worker-down', worker: host.name, error: outcome.hostLost });
    }
    return outcome.hostLost;
  }

  /** Runs a final pass (directory metadata, delete) on the first live host. */
  launchPass(s: RsyncSpawn): RsyncRun {
    const host = this.live()[0] ?? this.hosts[0];
    return this.start(host, 'pass', s, false);
  }

  private start(host: WorkerHost, tag: string, s: RsyncSpawn, probe: boolean, ssh = this.ssh): RsyncRun {
    const { option, pattern } = markerOf(this.runId, tag);
    const listFile = s.argv.map((a) => FILES_FROM.exec(a)?.[1]).find((f) => f !== undefined);
    const args = workerRsyncArgs(s.argv, { listFile, dropRsh: this.cfg.rsh, marker: option });
    const command = `env LC_ALL=C ${shCommand(['rsync', ...args])}`;
    // the list goes through ssh's stdin (an unreadable one as an empty list: rsync reports it)
    const run = startRsync({ ...s, rsync: ssh[0], argv: [...ssh.slice(1), sshHost(host.name), command], stdinFile: Promise.resolve(listFile ?? null), viaShell: true });
    let stopping: 'TERM' | 'KILL' | null = null;
    const remote: Array<Promise<unknown>> = [];
    const remoteSignal = (sig: 'TERM' | 'KILL' | 'STOP' | 'CONT') => sshAsync(this.ssh, host.name, remoteKillCommand(sig, pattern), 10_000);
    const done = run.done.then(async (outcome): Promise<WorkerOutcome> => {
      // once more after the local end: an rsync that was still starting when the first signal went
      if (stopping) remote.push(remoteSignal(stopping));
      await Promise.all(remote);
      if (!stopping && probe && outcome.exitCode === 255) {
        const p = await sshAsync(this.ssh, host.name, 'true', 15_000);
        if (p.connectionFailed) return { ...outcome, hostLost: firstLine(`${p.stderr}\n${outcome.firstError ?? ''}`, 'connection lost') };
      }
      return outcome;
    });
    return {
      pid: run.pid,
      // Signalling the local ssh is not enough: a multiplexed session's stdio belongs to the
      // master connection, and a remote rsync outlives its ssh client. The remote rsync is
      // signalled by its marker, now, and the local ssh too.
      signal: (sig) => {
        if (sig === 'SIGSTOP' || sig === 'SIGCONT') remote.push(remoteSignal(sig === 'SIGSTOP' ? 'STOP' : 'CONT'));
        else {
          const s = sig === 'SIGKILL' ? 'KILL' : 'TERM';
          if (stopping !== s) remote.push(remoteSignal(s));
          stopping = s;
        }
        run.signal(sig);
      },
      done,
    };
  }

  /** Ends the hosts' extra shared connections (the first is the pre-flight's), all at once. */
  closeConnections(): Promise<void> {
    return this.connections.close(this.hosts.map((h) => h.name));
  }

  /** Calls `f` when a host that waited for a connection being set up may take buckets again. */
  onOpen(f: () => void): void {
    this.connections.onOpen(f);
  }

  /** Process-exit path: kill every remote rsync of this run, synchronously, host by host. */
  killAllSync(): void {
    const all = `[m]ultisync:${this.runId}:`; // every tag of this run
    for (const h of this.hosts) {
      if (!h.dead && h.running > 0) sshSync(this.ssh, h.name, remoteKillCommand('KILL', all), 3000);
    }
  }
}
