// Throwaway sshd "hosts" for end-to-end tests: one sshd per loopback address (127.0.0.1,
// 127.0.0.2), all on one free high port, with a fresh ed25519 host key and client key in a temp
// dir. Each host can be stopped on its own, sessions included (a host that dies mid-run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir, waitFor } from './helpers.ts';

export const SSHD = '/usr/sbin/sshd';
export const HAVE_SSHD = existsSync(SSHD);

export interface TestHost {
  address: string;
  proc: ChildProcess;
  /** What sshd logged so far (LogLevel ERROR: refused sessions, dropped connections…). */
  log(): string;
  /** Stops this sshd and every session it runs (their rsyncs lose their connection). */
  stop(): void;
}

export interface SshLab {
  dir: string;
  key: string;
  port: number;
  /** The remote shell for -e. */
  rsh: string;
  hosts: TestHost[];
  cleanup(): void;
}

export function freePort(addresses: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, addresses[0], () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: address, port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Every descendant of `pid` (children first found by walking /proc's parent links). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * `maxStartups`, `maxSessions`: sshd's MaxStartups (unauthenticated connections it keeps before
 * refusing more) and MaxSessions (sessions per connection); the labs' default 100 keeps them out
 * of the way. `forwarding: false`: AllowTcpForwarding no (as hardened hosts have it).
 */
export async function startSshLab(addresses = ['127.0.0.1', '127.0.0.2'], o: { maxStartups?: string; maxSessions?: string; forwarding?: boolean } = {}): Promise<SshLab> {
  const tmp = tempDir('multisync-sshd-');
  const dir = tmp.path;
  mkdirSync('/run/sshd', { recursive: true });
  const keygen = (file: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'multisync-test', '-f', file]);
    if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  };
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  let port = 0;
  const hosts: TestHost[] = [];
  for (let attempt = 0; attempt < 5 && !hosts.length; attempt++) {
    port = await freePort(addresses);
    const started: TestHost[] = [];
    for (const address of addresses) {
      const config = join(dir, `sshd_config-${address}`);
      writeFileSync(
        config,
        [
          `ListenAddress ${address}:${port}`,
          `HostKey ${join(dir, 'host_key')}`,
          `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
          `PidFile ${join(dir, `sshd-${address}.pid`)}`,
          'StrictModes no',
          'UsePAM no',
          'PermitRootLogin yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          `MaxStartups ${o.maxStartups ?? '100'}`,
          `MaxSessions ${o.maxSessions ?? '100'}`,
          ...(o.forwarding === false ? ['AllowTcpForwarding no'] : []),
          'LogLevel ERROR',
          '',
        ].join('\n'),
      );
      const proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      const host: TestHost = {
        address,
        proc,
        log: () => log,
        stop() {
          const pid = proc.pid!;
          // the sessions' sshd processes go (their rsyncs see the connection close), then the listener
          const kids = descendants(pid).filter((p) => commOf(p).startsWith('sshd'));
          for (const p of [pid, ...kids]) {
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              /* gone */
            }
          }
        },
      };
      started.push(host);
    }
    let ok = true;
    for (const h of started) {
      try {
        await waitFor(async () => h.proc.exitCode !== null || (await accepts(h.address, port)), `sshd on ${h.address}:${port}`, 10_000);
      } catch {
        ok = false;
      }
      if (h.proc.exitCode !== null) ok = false;
    }
    if (ok) hosts.push(...started);
    else for (const h of started) h.stop();
  }
  if (!hosts.length) throw new Error('could not start the test sshd');
  const key = join(dir, 'client_key');
  const rsh = `ssh -i ${key} -p ${port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR`;
  return {
    dir,
    key,
    port,
    rsh,
    hosts,
    cleanup() {
      for (const h of hosts) h.stop();
      tmp.cleanup();
    },
  };
}

/**
 * An `ssh` in `dir` that appends its arguments to the file $SSH_ARGS_LOG, then runs the real one
 * with the same argv (this runtime as its interpreter, no shell): which connections a run used.
 */
export function loggingSsh(dir: string): string {
  const wrapper = [
    `#!${process.execPath}`,
    "const { appendFileSync } = require('node:fs');",
    "const { spawnSync } = require('node:child_process');",
    "appendFileSync(process.env.SSH_ARGS_LOG, process.argv.slice(2).join(' ') + '\\n');",
    "const r = spawnSync('/usr/bin/ssh', process.argv.slice(2), { stdio: 'inherit' });",
    'process.exit(r.status ?? 255);',
  ];
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'ssh');
  writeFileSync(path, `${wrapper.join('\n')}\n`, { mode: 0o755 });
  return path;
}
