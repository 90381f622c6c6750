// How far an ssh host is: the round trip of the run's shared connection, timed inside a session
// the pre-flight opens anyway (DST's check and listing, or SRC's listing: ssh-preflight.ts,
// source-listing.ts). That session's script starts with ECHO_ROUNDS rounds of a mark line the far
// end prints and a line it then reads: each answer from this end comes back as the next line
// after one round trip. No extra process, no extra session, nothing in the far end's logs (a
// channel to some port would log a failed connect there), and the local ssh's start-up is not in
// it. The pre-flight's answer waits ECHO_ROUNDS round trips longer (on loopback ~0.1 ms each).
// slot-ssh.ts decides from it whether the slots need connections of their own.
import type { Writable } from 'node:stream';

export const ECHO_MARK = 'multisync-echo';
/** Rounds: the first answer's time is a pure round trip, the second's includes the script's next step. */
export const ECHO_ROUNDS = 2;
const MARK_LINE = Buffer.from(`${ECHO_MARK}\n`);
const EMPTY: Buffer = Buffer.alloc(0);

/** Epoch ms with sub-ms resolution (a loopback round trip is ~0.1 ms). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** The sh fragment a script starts with (its reads get EOF, and go on, when nothing answers). */
export function echoPrefix(rounds = ECHO_ROUNDS): string {
  return `echo ${ECHO_MARK}; read -r x; `.repeat(rounds);
}

/**
 * Reads a session's stdout through the echo rounds: answers each mark (`answer`), times the
 * round trips, and hands on what follows the marks. Output that does not start with a mark (a
 * far end that printed something first) is handed on whole, and nothing is timed.
 */
export class LinkEcho {
  private pending: Buffer = EMPTY;
  private sentAt: number | null = null;
  private samples: number[] = [];
  private over = false;
  /** When the first mark came (the clock's time): the far end's shell had started then. */
  private firstAt: number | null = null;
  /** An answer went out during this feed: what follows in the same chunk did not wait for it (no round trip). */
  private answeredNow = false;

  /**
   * `answer`: writes a line to the session's stdin; `done`: the marks ended (the round trip or
   * null, and when the first mark came or null); `now`: the clock, epoch ms by default.
   */
  constructor(
    private readonly answer: () => void,
    private readonly done: (rttMs: number | null, firstAt: number | null) => void = () => {},
    private readonly now: () => number = epochNow,
  ) {}

  /** The bytes of `chunk` after the marks: empty while they last, everything once they ended. */
  feed(chunk: Buffer): Buffer {
    if (this.over) return chunk;
    let buf: Buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = EMPTY;
    this.answeredNow = false;
    for (;;) {
      if (!buf.length) return EMPTY;
      if (buf.length < MARK_LINE.length && MARK_LINE.subarray(0, buf.length).equals(buf)) {
        this.pending = buf; // (a mark cut in two by the pipe)
        return EMPTY;
      }
      if (!buf.subarray(0, MARK_LINE.length).equals(MARK_LINE)) {
        this.finish();
        return buf;
      }
      this.sample();
      this.firstAt ??= this.now();
      this.answer();
      this.sentAt = this.now();
      this.answeredNow = true;
      buf = buf.subarray(MARK_LINE.length);
    }
  }

  /** The output ended: what was held back (a mark's start that never ended) goes on. */
  end(): Buffer {
    const rest = this.pending;
    this.pending = EMPTY;
    if (!this.over) this.finish(false);
    return rest;
  }

  /** The shortest round trip seen (ms), or null. */
  get rttMs(): number | null {
    return this.samples.length ? Math.min(...this.samples) : null;
  }

  private sample(): void {
    if (this.sentAt !== null && !this.answeredNow) this.samples.push(this.now() - this.sentAt);
  }

  private finish(timed = true): void {
    this.over = true;
    if (timed) this.sample();
    this.done(this.rttMs, this.firstAt);
  }
}

/**
 * A session's stdin, for its output to go through: with `onRtt` (its script starts with the
 * rounds) a LinkEcho that answers each mark there and closes it once they are over; without,
 * stdin is closed now (the command reads nothing) and there is no echo. `after`: the command
 * reads on after the rounds; stdin is handed to it then instead of closed.
 */
export function answerOn(stdin: Writable, onRtt?: (rttMs: number | null, firstAt: number | null) => void, after: (stdin: Writable) => void = (w) => w.end()): LinkEcho | null {
  stdin.on('error', () => {}); // (ssh gone: its exit says why)
  if (!onRtt) {
    after(stdin);
    return null;
  }
  return new LinkEcho(
    () => stdin.write('\n'),
    (ms, firstAt) => {
      after(stdin);
      onRtt(ms, firstAt);
    },
  );
}
