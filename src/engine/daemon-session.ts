// The far end's side of remote-daemon.ts: the secret, the call of daemon-script.ts's msd, its
// answer line, and the session of its own that a pull's daemon starts in (a push's starts in
// DST's pre-flight session instead: ssh-preflight.ts).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { DAEMON_SCRIPT } from './daemon-script.ts';
import { pickPorts } from './daemon-route.ts';
import { shCommand, sshHost } from './remote.ts';

/** How msd's answer line starts. */
export const ANSWER = 'multisync-daemon: ';

/** The run's secret, new every run, in a 0600 file of `dir` for the buckets' rsyncs (--password-file); throws when it cannot be written. */
export function writeSecret(dir: string): { secret: string; pwFile: string } {
  const secret = randomBytes(24).toString('hex');
  const pwFile = join(dir, 'daemon-secret');
  writeFileSync(pwFile, `${secret}\n`, { mode: 0o600 });
  return { secret, pwFile };
}

/** msd's arguments, quoted for the far end's shell: `rsync` there, for `user`, then a few ports picked now. */
function msdArgs(rsync: string, user: string): string {
  return shCommand([rsync, user, ...pickPorts().map(String)]);
}

/** The shell words that start the daemon (msd) in a script of the pre-flight's. */
export function msdCall(rsync: string, user: string): string {
  return `msd ${msdArgs(rsync, user)}`;
}

/** Reads a session's stderr for msd's answer line (the far user's rc files may print before it): `onLine` gets it once. */
export function answerReader(onLine: (line: string) => void): (text: string) => void {
  let err = '';
  let done = false;
  return (text) => {
    if (done) return;
    err += text;
    const at = err.indexOf(ANSWER);
    const nl = at < 0 ? -1 : err.indexOf('\n', at);
    if (nl < 0) return;
    done = true;
    onLine(err.slice(at, nl));
  };
}

/**
 * Starts the daemon in a session of its own through the shared connection (`ssh`: its argv),
 * the secret on its stdin, which stays open for the daemon's life (returned: closing it ends
 * the daemon).
 */
export function ownSession(ssh: string[], host: string, rsync: string, user: string, secret: string, on: { line(line: string): void; fail(why: string): void }): Writable {
  const command = `sh -c ${shCommand([DAEMON_SCRIPT])} multisync-daemon ${msdArgs(rsync, user)}`;
  const child = spawn(ssh[0], [...ssh.slice(1), sshHost(host), command], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  child.stdin.on('error', () => {});
  child.stdin.write(`${secret}\n`);
  const read = answerReader(on.line);
  child.stderr.on('data', (d: Buffer) => read(d.toString('latin1')));
  child.on('error', () => on.fail('ssh did not start'));
  child.on('close', () => on.fail('its session ended'));
  return child.stdin;
}
