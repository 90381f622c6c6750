// What the crawler yields: an entry's kind from its lstat, and the entry itself, whose path as
// bytes is made from its latin1 string only when asked for.
import type { Stats } from 'node:fs';
import type { StatLite } from './dir-reader.ts';
import type { Entry, EntryKind } from './types.ts';

export function kindOf(st: Stats): EntryKind | 'dir' {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  return 'block';
}

/** An entry whose path is made from its latin1 form only when someone asks for it. */
class CrawlEntry implements Entry {
  private buf?: Buffer;
  constructor(
    readonly rel: string,
    readonly kind: EntryKind,
    readonly size: number,
    readonly ino: number,
    readonly dev: number,
    readonly nlink: number,
  ) {}
  get path(): Buffer {
    return (this.buf ??= Buffer.from(this.rel, 'latin1'));
  }
}

export function entryOf(rel: string, st: StatLite, kind: EntryKind): Entry {
  return new CrawlEntry(rel, kind, kind === 'file' ? st.size : 0, st.ino, st.dev, st.nlink);
}

/** kindOf() from st_mode's file-type bits. */
export function kindOfMode(mode: number): EntryKind | 'dir' {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    case 0o020000:
      return 'char';
    default:
      return 'block';
  }
}
