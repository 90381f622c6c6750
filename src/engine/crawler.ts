// Streaming crawler: walks one source with lstat (never following symlinks) and yields every
// non-directory plus every empty directory, as paths relative to the source base (raw bytes).
// Directory contents are read with readdir(encoding: 'buffer') because names need not be UTF-8
// (Bun's opendir loses Buffer names); entries stream out directory by directory.
import { lstat, readdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { Entry, EntryKind, SourceRoot } from './types.ts';

export interface CrawlHooks {
  /** An entry that could not be read; vanished = it disappeared while crawling (ENOENT). */
  onError?(path: Buffer, error: NodeJS.ErrnoException, vanished: boolean): void;
  /** Every directory met (relative path, '.' for the base itself), for the metadata pass. */
  onDir?(path: Buffer, stat: Stats): void;
  /** Return false to leave an entry (and, for a directory, everything below it) out. */
  filter?(path: Buffer, isDir: boolean, stat: Stats): boolean;
  /** Resume: true for a directory whose whole subtree an earlier run already bucketed. */
  skipTree?(path: Buffer): boolean;
  /** Every entry below this directory (relative path, '.' for the base) has been yielded. */
  onTreeDone?(path: Buffer): void;
  /** Test hook: pause this long before reading each directory (simulates a slow filesystem). */
  dirDelayMs?: number;
  /** Do not descend into directories on another filesystem than the source's (rsync -x). */
  oneFileSystem?: boolean;
  signal?: AbortSignal;
}

const SLASH = Buffer.from('/');
const DOT = Buffer.from('.');
const LSTAT_BATCH = 64;
const IS_DENO = 'Deno' in globalThis;
const FFFD = Buffer.from('\ufffd');
const DENO_RAW_NAME = 'name is not valid UTF-8: Deno cannot read it; copy this tree with the multisync binary or Bun';

export function kindOf(st: Stats): EntryKind | 'dir' {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  return 'block';
}

function entryOf(rel: Buffer, st: Stats, kind: EntryKind): Entry {
  return { path: rel, kind, size: kind === 'file' ? st.size : 0, ino: st.ino, dev: st.dev, nlink: st.nlink };
}

const join = (a: Buffer, b: Buffer): Buffer => (a.length ? Buffer.concat([a, SLASH, b]) : b);

export async function* crawl(root: SourceRoot, hooks: CrawlHooks = {}): AsyncGenerator<Entry> {
  const baseBuf = Buffer.from(root.base);
  const abs = (rel: Buffer) => (rel.length ? Buffer.concat([baseBuf, rel]) : baseBuf);
  const fail = (rel: Buffer, err: unknown) => {
    let e = err as NodeJS.ErrnoException;
    // Deno's node:fs turns non-UTF-8 name bytes into U+FFFD, so such a name "does not exist":
    // that is an unreadable entry (an error), not one that vanished (a warning).
    if (e.code === 'ENOENT' && IS_DENO && rel.includes(FFFD)) e = new Error(DENO_RAW_NAME);
    hooks.onError?.(rel.length ? rel : DOT, e, e.code === 'ENOENT');
  };

  const top = Buffer.from(root.prefix);
  let topStat: Stats;
  try {
    topStat = await lstat(abs(top));
  } catch (err) {
    fail(top, err);
    return;
  }
  if (!topStat.isDirectory()) {
    yield entryOf(top, topStat, kindOf(topStat) as EntryKind);
    return;
  }

  // A directory's subtree is done when it was listed and all its subdirectories' subtrees are.
  interface Node {
    rel: Buffer;
    st: Stats;
    parent: Node | null;
    pending: number;
  }
  const treeDone = (n: Node | null) => {
    while (n && n.pending === 0) {
      hooks.onTreeDone?.(n.rel.length ? n.rel : DOT);
      n = n.parent;
      if (n) n.pending--;
    }
  };
  const stack: Node[] = [{ rel: top, st: topStat, parent: null, pending: -1 }];
  while (stack.length) {
    if (hooks.signal?.aborted) return;
    const node = stack.pop()!;
    const { rel, st } = node;
    if (hooks.dirDelayMs) await new Promise((r) => setTimeout(r, hooks.dirDelayMs));
    hooks.onDir?.(rel.length ? rel : DOT, st);
    let names: Buffer[];
    try {
      names = (await readdir(abs(rel), { encoding: 'buffer' })) as Buffer[];
    } catch (err) {
      fail(rel, err);
      node.pending = 0;
      treeDone(node);
      continue;
    }
    names.sort(Buffer.compare);
    let listed = 0;
    const subdirs: Node[] = [];
    for (let i = 0; i < names.length; i += LSTAT_BATCH) {
      const batch = names.slice(i, i + LSTAT_BATCH).map((n) => join(rel, n));
      const stats = await Promise.all(
        batch.map((p) =>
          lstat(abs(p)).catch((err) => {
            fail(p, err);
            return null;
          }),
        ),
      );
      for (let j = 0; j < batch.length; j++) {
        const cst = stats[j];
        if (!cst) continue;
        const kind = kindOf(cst);
        if (hooks.filter && !hooks.filter(batch[j], kind === 'dir', cst)) continue;
        listed++;
        if (kind === 'dir' && hooks.oneFileSystem && cst.dev !== topStat.dev) {
          // a mount point is kept as an empty directory, as rsync -x does
          hooks.onDir?.(batch[j], cst);
          yield entryOf(batch[j], cst, 'dir');
        } else if (kind === 'dir') {
          if (!hooks.skipTree?.(batch[j])) subdirs.push({ rel: batch[j], st: cst, parent: node, pending: -1 });
        }
        else yield entryOf(batch[j], cst, kind);
      }
    }
    // An empty directory (or one whose children were all filtered out) is an entry itself,
    // except the base of a `src/` copy, which rsync's destination already is.
    if (listed === 0 && rel.length) yield entryOf(rel, st, 'dir');
    // Push in reverse so directories are walked in sorted order.
    for (let k = subdirs.length - 1; k >= 0; k--) stack.push(subdirs[k]);
    node.pending = subdirs.length;
    treeDone(node);
  }
}
