// With rsync -H, every name of a multiply-linked inode must land in the same bucket, or rsync
// copies the data twice and the link is lost. Such entries are held until their source's crawl
// ends (their names can be far apart), then handed out as groups.
import type { Entry } from './types.ts';

export class HardlinkHold {
  private groups = new Map<string, Entry[]>();

  /** Keeps the entry if it is a multiply-linked non-directory; returns whether it did. */
  take(e: Entry): boolean {
    if (e.nlink < 2 || e.kind === 'dir') return false;
    const key = `${e.dev}:${e.ino}`;
    const g = this.groups.get(key);
    if (g) {
      // only the first name carries the bytes: the others are links, not copies
      g.push({ ...e, size: 0 });
    } else this.groups.set(key, [e]);
    return true;
  }

  *drain(): Generator<Entry[]> {
    const groups = this.groups;
    this.groups = new Map();
    yield* groups.values();
  }
}
