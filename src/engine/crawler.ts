// Streaming crawler: walks one source with lstat (never following symlinks) and yields every
// non-directory plus every empty directory, as paths relative to the source base (raw bytes).
// Directory contents are read with readdir(encoding: 'latin1') because names need not be UTF-8
// (Bun's opendir loses Buffer names); entries stream out directory by directory.
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { setImmediate } from 'node:timers';
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
  /**
   * Subtrees, for naming a whole directory to rsync instead of its entries: enterDir before a
   * directory's entries, leaveDir after the last entry of its subtree (enterDir/leaveDir nest);
   * pruned when something below the directories entered and not yet left was left out (filter
   * rules, a resumed subtree, a mount point, an error), so rsync's own recursion there would
   * not give the same entries.
   */
  enterDir?(path: Buffer): void;
  leaveDir?(path: Buffer): void;
  pruned?(): void;
}

const DOT = Buffer.from('.');
const IS_DENO = 'Deno' in globalThis;
const FFFD = Buffer.from('\ufffd');
const DENO_RAW_NAME = 'name is not valid UTF-8: Deno cannot read it; copy this tree with the multisync binary or Bun';
/** Give the event loop a turn (child exits, progress, timers) after this much synchronous work. */
const SLICE_MS = 8;
const NON_ASCII = /[^\x00-\x7f]/;

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

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Paths are handled as latin1 strings (one char per byte: lossless for any name) and read
 * synchronously, directory by directory, giving the event loop a turn every few milliseconds:
 * a promise per lstat cost more than the lstat itself. An all-ASCII path goes to the kernel as a
 * string (the fast path in Bun); any other as its raw bytes.
 */
export async function* crawl(root: SourceRoot, hooks: CrawlHooks = {}): AsyncGenerator<Entry> {
  const base = Buffer.from(root.base).toString('latin1');
  const baseAscii = !NON_ASCII.test(base);
  const sys = (rel: string, ascii: boolean): string | Buffer => (ascii ? base + rel : Buffer.from(base + rel, 'latin1'));
  const bytes = (rel: string): Buffer => Buffer.from(rel, 'latin1');
  const fail = (rel: string, err: unknown) => {
    let e = err as NodeJS.ErrnoException;
    const path = rel.length ? bytes(rel) : DOT;
    // Deno's node:fs turns non-UTF-8 name bytes into U+FFFD, so such a name "does not exist":
    // that is an unreadable entry (an error), not one that vanished (a warning).
    if (e.code === 'ENOENT' && IS_DENO && path.includes(FFFD)) e = new Error(DENO_RAW_NAME);
    hooks.onError?.(path, e, e.code === 'ENOENT');
    hooks.pruned?.();
  };

  const top = Buffer.from(root.prefix).toString('latin1');
  const topAscii = baseAscii && !NON_ASCII.test(top);
  let topStat: Stats;
  try {
    topStat = lstatSync(sys(top, topAscii));
  } catch (err) {
    fail(top, err);
    return;
  }
  if (!topStat.isDirectory()) {
    yield entryOf(bytes(top), topStat, kindOf(topStat) as EntryKind);
    return;
  }

  // A directory's subtree is done when it was listed and all its subdirectories' subtrees are.
  interface Node {
    rel: string;
    ascii: boolean;
    st: Stats;
    parent: Node | null;
    pending: number;
  }
  const treeDone = (n: Node | null) => {
    while (n && n.pending === 0) {
      const rel = n.rel.length ? bytes(n.rel) : DOT;
      hooks.leaveDir?.(rel);
      hooks.onTreeDone?.(rel);
      n = n.parent;
      if (n) n.pending--;
    }
  };
  const stack: Node[] = [{ rel: top, ascii: topAscii, st: topStat, parent: null, pending: -1 }];
  let sliceStart = performance.now();
  while (stack.length) {
    if (hooks.signal?.aborted) return;
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldToLoop();
      sliceStart = performance.now();
      if (hooks.signal?.aborted) return;
    }
    const node = stack.pop()!;
    const { rel, st } = node;
    if (hooks.dirDelayMs) await new Promise((r) => setTimeout(r, hooks.dirDelayMs));
    const relBuf = rel.length ? bytes(rel) : DOT;
    hooks.onDir?.(relBuf, st);
    hooks.enterDir?.(relBuf);
    let names: string[];
    try {
      names = readdirSync(sys(rel, node.ascii), { encoding: 'latin1' }) as string[];
    } catch (err) {
      fail(rel, err);
      node.pending = 0;
      treeDone(node);
      continue;
    }
    // latin1 strings compare like their bytes: rsync's (and the old Buffer.compare) order
    names.sort();
    const prefix = rel.length ? `${rel}/` : '';
    let listed = 0;
    const subdirs: Node[] = [];
    for (const name of names) {
      const p = prefix + name;
      const ascii = node.ascii && !NON_ASCII.test(name);
      let cst: Stats;
      try {
        cst = lstatSync(sys(p, ascii));
      } catch (err) {
        fail(p, err);
        continue;
      }
      const kind = kindOf(cst);
      const pb = bytes(p);
      if (hooks.filter && !hooks.filter(pb, kind === 'dir', cst)) {
        hooks.pruned?.();
        continue;
      }
      listed++;
      if (kind === 'dir' && hooks.oneFileSystem && cst.dev !== topStat.dev) {
        // a mount point is kept as an empty directory, as rsync -x does
        hooks.onDir?.(pb, cst);
        hooks.pruned?.();
        yield entryOf(pb, cst, 'dir');
      } else if (kind === 'dir') {
        if (!hooks.skipTree?.(pb)) subdirs.push({ rel: p, ascii, st: cst, parent: node, pending: -1 });
        else hooks.pruned?.();
      } else yield entryOf(pb, cst, kind);
    }
    // An empty directory (or one whose children were all filtered out) is an entry itself,
    // except the base of a `src/` copy, which rsync's destination already is.
    if (listed === 0 && rel.length) yield entryOf(relBuf, st, 'dir');
    // Push in reverse so directories are walked in sorted order.
    for (let k = subdirs.length - 1; k >= 0; k--) stack.push(subdirs[k]);
    node.pending = subdirs.length;
    treeDone(node);
  }
}
