// A child's stdout as a file we follow, instead of a pipe. rsync's `--info=progress2,name1`
// writes twice per file; through a pipe every write woke this process and went through the
// runtime's stream machinery (~12 µs a chunk: 0.3 s of our CPU for a 20k-file cold copy, a
// fifth of rsync's own). Into a file those writes cost the child what a pipe write does and us
// nothing; one timer reads what every running child wrote since the last look.
import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';

/**
 * Between looks while children write; up to MAX_MS while they are quiet (a no-op rsync prints
 * nothing until its statistics, and the slot waits for those: see RsyncSpawn.onFinishing).
 */
const MIN_MS = 10;
const MAX_MS = 20;

export class OutputTail {
  private pos = 0;
  private closed = false;

  private constructor(
    readonly file: string,
    /** Read (by position) here; the child writes through its own copy of the descriptor. */
    readonly fd: number,
    private onText: (text: string) => void,
  ) {}

  /**
   * Creates `file` (truncated) for a child's stdout; `onText` gets what was written, as latin1,
   * in order. Null when it cannot be created (the caller falls back to a pipe).
   */
  static create(file: string, onText: (text: string) => void): OutputTail | null {
    try {
      return new OutputTail(file, openSync(file, 'w+', 0o600), onText);
    } catch {
      return null;
    }
  }

  /** Starts following (after the child got the descriptor). */
  follow(): void {
    tails.add(this);
    schedule(MIN_MS);
  }

  /** Reads what is new; true when there was something. */
  read(): boolean {
    if (this.closed) return false;
    let got = false;
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, buf, 0, buf.length, this.pos);
      } catch {
        return got;
      }
      if (n <= 0) return got;
      got = true;
      this.pos += n;
      this.onText(buf.toString('latin1', 0, n));
      if (n < buf.length) return got;
    }
  }

  /** The child is gone: reads the rest, closes and removes the file. */
  close(): void {
    if (this.closed) return;
    this.read();
    this.closed = true;
    tails.delete(this);
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    try {
      unlinkSync(this.file);
    } catch {
      /* the run dir is gone */
    }
  }
}

const buf = Buffer.allocUnsafe(64 * 1024);
const tails = new Set<OutputTail>();
let timer: ReturnType<typeof setTimeout> | null = null;
let delay = MIN_MS;

function schedule(ms: number): void {
  if (timer && ms >= delay) return;
  if (timer) clearTimeout(timer);
  delay = ms;
  timer = setTimeout(tick, ms);
  // the children keep the process alive, not this timer
  timer.unref?.();
}

function tick(): void {
  timer = null;
  let got = false;
  for (const t of tails) if (t.read()) got = true;
  if (tails.size) schedule(got ? MIN_MS : Math.min(MAX_MS, delay * 2));
}
