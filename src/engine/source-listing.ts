// The listing of a remote SRC (`ssh HOST find … -printf`, find-records.ts): started by the
// pre-flight, whose check that SRC exists (and is a directory) is its first record — one remote
// session instead of a check and then the listing, one after the other — and taken over by the
// crawl (remote-crawl.ts), which gets what came meanwhile first. Started by the crawl itself
// when the pre-flight did not (a resumed run, a manifest, another source).
import { spawn } from 'node:child_process';
import type { RunConfig } from './config.ts';
import type { SourceRoot } from './types.ts';
import { CHECK_FORMAT, findCommand } from './find-records.ts';
import { listingWithDaemon } from './daemon-script.ts';
import { markStatus, stderrLines } from './listing-end.ts';
import type { DaemonStart } from './ssh-preflight.ts';
import { answerOn, echoPrefix, type LinkEcho } from './link-echo.ts';
import { parseRemote, shQuote, sshHost } from './remote.ts';
import { sshArgv } from './ssh-control.ts';
import { destCheckPolicy } from './dest-check.ts';
import { pullIntoEmpty } from './feed-dest-check.ts';
import { interrupted } from './resume.ts';

export class SourceListing {
  private readonly child;
  private chunks: Buffer[] = [];
  private stderr = '';
  private errSink: ((text: string) => void) | null = null;
  private firstByte: ((b: number | null) => void) | null = null;
  private echo: LinkEcho | null = null;
  private readonly onData = (chunk: Buffer) => {
    const d = this.echo ? this.echo.feed(chunk) : chunk;
    if (!d.length) return;
    this.chunks.push(d);
    // (held here until the crawl takes over: no more than this first chunk is read meanwhile)
    this.child.stdout.pause();
    this.firstByte?.(d[0]);
    this.firstByte = null;
  };
  /** ssh's exit code (null: it could not run, or was killed). */
  readonly closed: Promise<number | null>;

  private errEnd: () => void = () => {};
  /**
   * find's messages are all in (errSink had them): with the daemon in the session, once the
   * listing's end line came on stderr (stdout's end mark may come first), or ssh ended.
   */
  readonly errorsEnded = new Promise<void>((resolve) => (this.errEnd = resolve));

  /** The listing ended with its end mark (only one with the daemon in its session has one): stop() leaves the session to the daemon. */
  private ended = false;

  /**
   * `checked`: the listing carries the destination check's fields (CHECK_FORMAT); `onRtt`: it
   * starts with link-echo.ts's rounds, and this is called with the connection's round trip.
   * `daemon`: the far end's daemon starts in the same session (remote-daemon.ts inline,
   * daemon-script.ts listingWithDaemon): the listing then ends with END_MARK and find's status
   * (endStatus), and the session stays until the daemon's stdin closes.
   */
  constructor(
    readonly root: SourceRoot,
    cfg: Pick<RunConfig, 'rsh' | 'sshControlDir' | 'oneFileSystem'>,
    readonly checked: boolean,
    onRtt?: (ms: number | null, firstAt: number | null) => void,
    daemon?: DaemonStart | null,
  ) {
    const spec = parseRemote(root.base);
    if (!spec || spec.kind !== 'ssh') throw new Error(`not an ssh source: ${root.arg}`);
    const ssh = sshArgv(cfg.rsh, cfg.sshControlDir);
    const find = findCommand(spec.path + root.prefix, cfg.oneFileSystem, checked ? CHECK_FORMAT : undefined);
    const echo = onRtt ? echoPrefix() : '';
    const command = daemon ? `sh -c ${shQuote(echo + listingWithDaemon(find, daemon.call))}` : onRtt ? `sh -c ${shQuote(`${echo}exec ${find}`)}` : find;
    this.child = spawn(ssh[0], [...ssh.slice(1), sshHost(spec.host), command], { stdio: ['pipe', 'pipe', 'pipe'], env: daemon ? { ...process.env, LC_ALL: 'C' } : process.env });
    this.echo = answerOn(this.child.stdin, onRtt, daemon?.linger.stdin);
    this.child.stdout.on('data', this.onData);
    // (the daemon's answer line is its own: not one of find's, nor a reason the listing failed)
    const answer = daemon ? stderrLines(daemon.linger.stderr, () => this.errEnd()) : null;
    const errText = (text: string) => {
      if (!text) return;
      if (this.errSink) this.errSink(text);
      else if (this.stderr.length < 65536) this.stderr += text;
    };
    this.child.stderr.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      errText(answer ? answer.pass(text) : text);
    });
    if (daemon)
      this.child.on('close', () => {
        errText(answer!.flush());
        this.errEnd();
        daemon.linger.closed();
      });
    else this.errEnd();
    this.closed = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderr += `${err.message}\n`;
        resolve(null);
      });
      // ('close': ssh ended and its stdout and stderr are read to their ends)
      this.child.on('close', (code) => {
        const rest = this.echo?.end(); // (a mark's start that never ended is output too)
        if (rest?.length) this.chunks.push(rest);
        resolve(code);
      });
    });
    this.closed.then(() => {
      this.firstByte?.(null);
      this.firstByte = null;
    });
  }

  /** The listing's first byte (SRC's own type letter), or null when it ended without one (or `timeoutMs` passed: then stopped). */
  first(timeoutMs: number): Promise<number | null> {
    if (this.chunks.length) return Promise.resolve(this.chunks[0][0]);
    if (this.child.exitCode !== null) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.stderr += `no answer within ${timeoutMs / 1000} s\n`;
        this.stop();
      }, timeoutMs);
      this.firstByte = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
    });
  }

  /** What ssh printed on stderr so far (the pre-flight's verdict when there was no record). */
  get errors(): string {
    return this.stderr;
  }

  /** The crawl takes over: stderr from now on goes to `onErr` (what came so far at once), stdout from the first chunk on. */
  async *take(onErr: (text: string) => void): AsyncGenerator<Buffer> {
    this.errSink = onErr;
    if (this.stderr) onErr(this.stderr);
    this.stderr = '';
    this.child.stdout.off('data', this.onData);
    const held = this.chunks;
    this.chunks = [];
    yield* held;
    for await (const chunk of this.child.stdout as AsyncIterable<Buffer>) yield chunk;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * When the first record is the end mark (find listed nothing: `first` gave its first byte,
   * MARK_BYTE): find's status, once the mark is whole; null when the output ended without it.
   */
  async endStatus(): Promise<number | null> {
    for (;;) {
      const status = markStatus(Buffer.concat(this.chunks));
      if (status !== undefined) return status;
      if (!this.running) return null;
      await new Promise<void>((resolve) => {
        const go = () => {
          this.child.stdout.off('data', go);
          this.child.off('close', go);
          this.child.stdout.pause();
          resolve();
        };
        this.child.stdout.on('data', go);
        this.child.on('close', go);
        this.child.stdout.resume();
      });
    }
  }

  /** The crawl read the listing to its end mark: the session is the daemon's now. */
  done(): void {
    this.ended = true;
  }

  /** Stops the listing (and a daemon in its session), unless it was read to its end. */
  stop(): void {
    if (this.running && !this.ended) this.child.kill('SIGTERM');
  }
}

/** The pre-flight's listing for this source when it has the format the crawl needs (else it is stopped), or a new one. */
export function sourceListing(root: SourceRoot, cfg: Pick<RunConfig, 'rsh' | 'sshControlDir' | 'oneFileSystem' | 'sourceListing'>, checked: boolean): SourceListing {
  const early = cfg.sourceListing;
  if (early && early.root === root) {
    cfg.sourceListing = undefined;
    if (early.checked === checked) return early;
    early.stop();
  }
  return new SourceListing(root, cfg, checked);
}

/**
 * The pre-flight may start SRC's listing for the crawl: a fresh run that crawls its sources
 * (not a manifest, not --retry-failed, not a resumed run, whose crawl may skip them).
 */
export function earlyListing(cfg: RunConfig): boolean {
  return !cfg.filesFrom && !cfg.retryFailed && !interrupted(cfg);
}

/** The crawl of this pull will check DST (feed-dest-check.ts's rule): its listing carries the check's fields. */
export function listingChecked(cfg: RunConfig): boolean {
  return !!destCheckPolicy(cfg) && !pullIntoEmpty(cfg);
}
