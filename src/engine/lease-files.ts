// --shared's lease files (claims, the crawler file): created with O_EXCL so exactly one host
// wins, kept alive by their owner touching them, and taken over once one has not changed for a
// whole lease as this host's clock sees it (no clock sync needed): only one rename succeeds.
import { closeSync, openSync, renameSync, statSync, writeSync } from 'node:fs';

/** O_EXCL create; false when it exists. */
export function createExclusive(path: string, text: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, text);
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export class LeaseWatch {
  /** Stamp of a watched file, and when (our clock) it last changed. */
  private stamps = new Map<string, { stamp: string; at: number }>();

  /** `me`: who we are (written into what we create); `leaseMs`: how long a file may stay unchanged. */
  constructor(
    private me: string,
    private leaseMs: number,
  ) {}

  /** True when `file` has not changed for a whole lease (as this host's clock sees it). */
  stale(file: string): boolean {
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      this.stamps.delete(file);
      return false;
    }
    const now = Date.now();
    const prev = this.stamps.get(file);
    if (!prev || prev.stamp !== stamp) {
      this.stamps.set(file, { stamp, at: now });
      return false;
    }
    return now - prev.at >= this.leaseMs;
  }

  /** Takes over a stale file: only one renamer wins, then the file is created anew (O_EXCL). */
  takeOver(file: string): boolean {
    try {
      renameSync(file, `${file}.stale-${this.me.replace(/[^\w.-]/g, '_')}-${Date.now()}`);
    } catch {
      return false;
    }
    this.stamps.delete(file);
    return createExclusive(file, `${this.me}\n`);
  }
}
