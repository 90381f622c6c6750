// `ssh HOST COMMAND` whose answer is a line first and then, maybe, a long listing (the remote DST's
// state, then its listing for the destination check: ssh-preflight.ts): the line is had as soon
// as it comes, while the listing goes on arriving in the background — the crawl of SRC runs
// meanwhile instead of after it (crawler.ts waits for it only when it needs it).
import { spawn } from 'node:child_process';
import { answerOn } from './link-echo.ts';
import { sshHost } from './remote.ts';
import { spawnFailure, type SshResult } from './ssh-control.ts';

export type SshBytesResult = SshResult & { bytes: Buffer; overflow: boolean };

export interface SshStream {
  /** The output's first line (without its newline): once it came, or what there was at the end. */
  first: Promise<string>;
  /** The whole answer: stdout as bytes, at most maxBuffer of them (`overflow`: there was more, and ssh was stopped). */
  whole: Promise<SshBytesResult>;
  /** Stops ssh (the run ends before it was needed); `whole` then settles as a failure. */
  stop(): void;
}

/** The bytes' first line without its newline (all of them when there is none). */
function lineOf(bytes: Buffer): string {
  const nl = bytes.indexOf(0x0a);
  return bytes.subarray(0, nl < 0 ? bytes.length : nl).toString('latin1');
}

/**
 * `onRtt`: the command's script starts with link-echo.ts's rounds, answered here; called with
 * the connection's round trip once they are over (null: not timed).
 */
export function sshStream(ssh: string[], host: string, command: string, maxBuffer: number, timeoutMs = 120_000, onRtt?: (ms: number | null, firstAt: number | null) => void): SshStream {
  const child = spawn(ssh[0], [...ssh.slice(1), sshHost(host), command], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  const echo = answerOn(child.stdin, onRtt);
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let stderr = '';
  let firstLine: string | null = null;
  let gotFirst: (line: string) => void = () => {};
  const first = new Promise<string>((resolve) => (gotFirst = resolve));
  const timer = setTimeout(() => {
    stderr += `no answer within ${timeoutMs / 1000} s\n`;
    child.kill('SIGKILL');
  }, timeoutMs);
  timer.unref?.();
  child.stdout.on('data', (chunk: Buffer) => {
    const d = echo ? echo.feed(chunk) : chunk;
    if (overflow || !d.length) return;
    if (size + d.length > maxBuffer) {
      overflow = true;
      child.kill('SIGTERM');
      return;
    }
    chunks.push(d);
    size += d.length;
    if (firstLine === null && d.includes(0x0a)) {
      firstLine = lineOf(chunks.length === 1 ? d : Buffer.concat(chunks));
      gotFirst(firstLine);
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 16384) stderr += d.toString('utf8');
  });
  const whole = new Promise<SshBytesResult>((resolve) => {
    let done = false;
    const finish = (code: number | null, err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const rest = echo?.end();
      if (rest?.length) (chunks.push(rest), (size += rest.length));
      const bytes = Buffer.concat(chunks, size);
      if (firstLine === null) gotFirst(lineOf(bytes));
      if (err) resolve({ code: null, stdout: '', stderr: spawnFailure(err, ssh[0], timeoutMs), connectionFailed: true, bytes, overflow: false });
      else resolve({ code, stdout: '', stderr, connectionFailed: !overflow && (code === 255 || code === null), bytes, overflow });
    };
    child.on('error', (err) => finish(null, err));
    child.on('close', (code) => finish(code));
  });
  return { first, whole, stop: () => child.exitCode === null && child.kill('SIGTERM') };
}
