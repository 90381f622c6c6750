// How multisync talks ssh: the user's remote shell (-e, default `ssh`) as an argv, plus OpenSSH
// connection sharing (ControlMaster=auto, ControlPersist, a socket in a private 0700 directory),
// so the many rsyncs and commands of a run share one TCP connection and one handshake per host
// instead of paying one per bucket. Commands always run from an argv, never a local shell.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { splitOptions } from './rsync-args.ts';
import { sshHost } from './remote.ts';

/** Options multisync adds to every ssh it (or rsync) starts; the user's own -o values win (ssh keeps the first). */
export function controlOptions(dir: string | undefined): string[] {
  const o = ['-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=10', '-o', 'ServerAliveCountMax=3'];
  if (dir) o.push('-o', 'ControlMaster=auto', '-o', `ControlPath=${dir}/%C`, '-o', 'ControlPersist=60');
  return o;
}

/** True when the remote shell is OpenSSH's client (the options above only make sense there). */
export function isSsh(rsh: string | undefined): boolean {
  const words = splitOptions(rsh ?? 'ssh');
  return words.length > 0 && basename(words[0]) === 'ssh';
}

/**
 * A private directory for the control sockets. Its path goes inside an rsh string that rsync
 * splits at spaces, and a unix socket path is limited to about 100 bytes: fall back to /tmp when
 * the temp dir's path is long or odd.
 */
export function makeControlDir(): string {
  let parent = tmpdir();
  if (!/^[A-Za-z0-9_\-./]+$/.test(parent) || parent.length > 40) parent = '/tmp';
  const dir = mkdtempSync(join(parent, 'multisync-ssh-'));
  chmodSync(dir, 0o700);
  return dir;
}

/**
 * The pre-flight's control socket in `dir`: the one file ssh named by %C (a hex hash; the slots'
 * connections add `-N`, and the dir also holds remote-daemon.ts's secret file). Null when there
 * is none yet, or more than one (not ours to tell apart).
 */
export function controlSocket(dir: string): string | null {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^[0-9a-f]+$/.test(n));
  } catch {
    return null;
  }
  return names.length === 1 ? join(dir, names[0]) : null;
}

/** The ssh argv (command first) for reaching hosts: the user's words, then multisync's options. */
export function sshArgv(rsh: string | undefined, dir: string | undefined): string[] {
  const words = splitOptions(rsh ?? 'ssh');
  if (!isSsh(rsh)) return words;
  // an rsh that already carries our options (it was augmented for rsync) is taken as it is
  if (words.some((w) => w.startsWith('ConnectTimeout=') && words.includes(`ControlPath=${dir}/%C`))) return words;
  return [...words, ...controlOptions(dir)];
}

/** The rsh string for rsync's --rsh: the user's text with multisync's options appended. */
export function rshForRsync(rsh: string | undefined, dir: string | undefined): string | undefined {
  if (!isSsh(rsh)) return rsh;
  return [rsh ?? 'ssh', ...controlOptions(dir)].join(' ');
}

export interface SshResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ssh's own failure (exit 255: connection, authentication, host key) or a timeout. */
  connectionFailed: boolean;
}

/** First meaningful line of ssh's stderr. */
export function firstLine(text: string, fallback: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l && !/^Warning: Permanently added/.test(l)) ?? fallback
  );
}

/** `ssh HOST COMMAND`, waited for; `input`: the command's stdin (bytes reach it as they are, unlike argv). */
function spawnSsh(ssh: string[], host: string, command: string, timeoutMs: number, input?: Buffer) {
  return spawnSync(ssh[0], [...ssh.slice(1), sshHost(host), command], {
    timeout: timeoutMs,
    ...(input ? { input } : {}),
    stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
}

/** Runs `ssh HOST COMMAND` and waits (pre-flight, mkdir, kill: short commands); `input` is its stdin. */
export function sshSync(ssh: string[], host: string, command: string, timeoutMs = 30_000, input?: Buffer): SshResult {
  const r = spawnSsh(ssh, host, command, timeoutMs, input);
  const stdout = r.stdout?.toString('utf8') ?? '';
  if (r.error) return { code: null, stdout, stderr: spawnFailure(r.error, ssh[0], timeoutMs), connectionFailed: true };
  return { code: r.status, stdout, stderr: r.stderr?.toString('utf8') ?? '', connectionFailed: r.status === 255 || r.status === null };
}

/** Why the remote shell could not be run (or was stopped) at all. */
export function spawnFailure(error: Error, shell: string, timeoutMs: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? `remote shell '${shell}' not found` : code === 'ETIMEDOUT' ? `no answer within ${timeoutMs / 1000} s` : error.message;
}

/**
 * The same, without blocking the event loop (worker probes, remote kills during a run);
 * `command` undefined: none (`ssh … -G HOST` prints its configuration and connects nowhere).
 */
export function sshAsync(ssh: string[], host: string, command: string | undefined, timeoutMs = 15_000): Promise<SshResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let done = false;
    const child = spawn(ssh[0], [...ssh.slice(1), sshHost(host), ...(command === undefined ? [] : [command])], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const timer = setTimeout(() => {
      stderr += `no answer within ${timeoutMs / 1000} s\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const finish = (code: number | null, err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) stderr += err.message;
      resolve({ code, stdout, stderr, connectionFailed: code === 255 || code === null });
    };
    child.on('error', (err) => finish(null, err));
    child.on('close', (code) => finish(code));
  });
}

/** How long an `ssh -O exit` may take before it is stopped (the master then ends on its own: ControlPersist). */
const EXIT_TIMEOUT_MS = 5000;

/**
 * Ends shared connections (`ssh … -O exit HOST`, one argv each, the command first), all at once:
 * one after the other, their starts and round trips held the end of a run (~30 ms each).
 */
export function exitConnections(commands: string[][]): Promise<void> {
  return Promise.all(
    commands.map(
      (argv) =>
        new Promise<void>((resolve) => {
          const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
          const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
          const done = () => {
            clearTimeout(timer);
            resolve();
          };
          child.on('error', done);
          child.on('close', done);
        }),
    ),
  ).then(() => undefined);
}

/** Ends the shared connections (`ssh -O exit`) and removes the socket directory. */
export function closeControl(rsh: string | undefined, dir: string | undefined, hosts: Iterable<string>): void {
  if (!dir) return;
  if (isSsh(rsh)) {
    const ssh = sshArgv(rsh, dir);
    for (const host of new Set(hosts)) {
      spawnSync(ssh[0], [...ssh.slice(1), '-O', 'exit', sshHost(host)], { stdio: 'ignore', timeout: 5000 });
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
