// `ssh HOST COMMAND` whose answer is a line first and then, maybe, a long listing (the remote DST's
// state, then its listing for the destination check: ssh-preflight.ts): the line is had as soon
// as it comes, while the listing goes on arriving in the background — the crawl of SRC runs
// meanwhile instead of after it (crawler.ts waits for it only when it needs it).
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { answerOn } from './link-echo.ts';
import { sshHost } from './remote.ts';
import { spawnFailure, type SshResult } from './ssh-control.ts';

export type SshBytesResult = SshResult & { bytes: Buffer; overflow: boolean };

export interface SshStream {
  /** The output's first line (without its newline): once it came, or what there was at the end. */
  first: Promise<string>;
  /** The whole answer: stdout as bytes, at most maxBuffer of them (`overflow`: there was more, and ssh was stopped; for a Linger, also: not all of it came in time). */
  whole: Promise<SshBytesResult>;
  /** Stops ssh (the run ends before it was needed); `whole` then settles as a failure. */
  stop(): void;
}

/**
 * A command that runs on after its answer: the far end's daemon, started in the pre-flight's
 * session (remote-daemon.ts). Its output never ends while it runs (through a shared connection
 * the ssh that asked keeps its own copy of stdout open), so its answer ends with a mark that
 * `ended` knows: `whole` settles then, with code null, while ssh runs on.
 */
export interface Linger {
  /** The answer is whole: its output so far ends so (`tail`: its last bytes, at most TAIL). */
  ended(tail: Buffer): boolean;
  /** stdin once the echo rounds are over: it stays open for the command. */
  stdin(stdin: Writable): void;
  /** stderr, as it comes. */
  stderr(text: string): void;
  /** ssh ended. */
  closed(): void;
}

/** How many of the output's last bytes Linger.ended sees. */
export const TAIL = 64;

/** The bytes' first line without its newline (all of them when there is none). */
function lineOf(bytes: Buffer): string {
  const nl = bytes.indexOf(0x0a);
  return bytes.subarray(0, nl < 0 ? bytes.length : nl).toString('latin1');
}

/**
 * `onRtt`: the command's script starts with link-echo.ts's rounds, answered here; called with
 * the connection's round trip once they are over (null: not timed).
 */
export function sshStream(ssh: string[], host: string, command: string, maxBuffer: number, timeoutMs = 120_000, onRtt?: (ms: number | null, firstAt: number | null) => void, linger?: Linger): SshStream {
  const child = spawn(ssh[0], [...ssh.slice(1), sshHost(host), command], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  const echo = answerOn(child.stdin, onRtt, linger?.stdin);
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let stderr = '';
  let firstLine: string | null = null;
  let tail: Buffer = Buffer.alloc(0);
  let answered = () => {};
  let gotFirst: (line: string) => void = () => {};
  const first = new Promise<string>((resolve) => (gotFirst = resolve));
  const timer = setTimeout(() => {
    // (a lingering command that answered carries the daemon: what it has not sent by now is given up, not it)
    if (linger && firstLine !== null) {
      overflow = true;
      return answered();
    }
    stderr += `no answer within ${timeoutMs / 1000} s\n`;
    child.kill('SIGKILL');
  }, timeoutMs);
  timer.unref?.();
  child.stdout.on('data', (chunk: Buffer) => {
    const d = echo ? echo.feed(chunk) : chunk;
    if (overflow || !d.length) return;
    if (size + d.length > maxBuffer) {
      overflow = true;
      // (a lingering command bounds its own output: ssh carries its daemon)
      if (linger) answered();
      else child.kill('SIGTERM');
      return;
    }
    chunks.push(d);
    size += d.length;
    if (firstLine === null && d.includes(0x0a)) {
      firstLine = lineOf(chunks.length === 1 ? d : Buffer.concat(chunks));
      gotFirst(firstLine);
    }
    if (linger) {
      tail = Buffer.concat([tail, d]).subarray(-TAIL);
      if (linger.ended(tail)) answered();
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    if (stderr.length < 16384) stderr += text;
    linger?.stderr(text);
  });
  const whole = new Promise<SshBytesResult>((resolve) => {
    let done = false;
    /** `runsOn`: a lingering command's answer is whole while ssh runs on (code null). */
    const finish = (code: number | null, err?: Error, runsOn = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const rest = echo?.end();
      if (rest?.length) (chunks.push(rest), (size += rest.length));
      const bytes = Buffer.concat(chunks, size);
      if (firstLine === null) gotFirst(lineOf(bytes));
      if (err) resolve({ code: null, stdout: '', stderr: spawnFailure(err, ssh[0], timeoutMs), connectionFailed: true, bytes, overflow: false });
      else resolve({ code, stdout: '', stderr, connectionFailed: !runsOn && !overflow && (code === 255 || code === null), bytes, overflow });
    };
    child.on('error', (err) => finish(null, err));
    child.on('close', (code) => {
      finish(code);
      linger?.closed();
    });
    answered = () => finish(null, undefined, true);
  });
  return { first, whole, stop: () => child.exitCode === null && child.kill('SIGTERM') };
}
