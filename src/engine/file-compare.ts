// Streamed byte-by-byte comparison of two regular files, plus a tiny
// concurrency limiter shared by the tree comparison.
import { promises as fsp } from 'node:fs';

const CHUNK = 1 << 20;

/** Run at most `n` async jobs at once. */
export class Limiter {
  private active = 0;
  private waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * Offset of the first byte where the two files differ, or -1 when their
 * contents are identical. Reads both files in 1 MiB chunks, so multi-GB
 * (sparse) files never sit in memory. A shorter file differs at its EOF.
 */
export async function firstDifference(a: string | Buffer, b: string | Buffer): Promise<number> {
  const fa = await fsp.open(a, 'r');
  try {
    const fb = await fsp.open(b, 'r');
    try {
      const size = Number((await fa.stat()).size);
      const len = Math.max(1, Math.min(CHUNK, size));
      const ba = Buffer.allocUnsafe(len);
      const bb = Buffer.allocUnsafe(len);
      let pos = 0;
      for (;;) {
        const [ra, rb] = await Promise.all([fa.read(ba, 0, len, pos), fb.read(bb, 0, len, pos)]);
        const n = Math.min(ra.bytesRead, rb.bytesRead);
        if (ba.compare(bb, 0, n, 0, n) !== 0) {
          for (let i = 0; i < n; i++) if (ba[i] !== bb[i]) return pos + i;
        }
        // A short read on one side is not EOF unless it read nothing at all.
        if (n === 0) return ra.bytesRead === rb.bytesRead ? -1 : pos;
        pos += n;
      }
    } finally {
      await fb.close();
    }
  } finally {
    await fa.close();
  }
}
