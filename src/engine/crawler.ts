// Streaming crawler: walks one source with lstat (never following symlinks) and yields every
// non-directory plus every empty directory, as paths relative to the source base (raw bytes).
// Directory contents are read with readdir(encoding: 'latin1') because names need not be UTF-8
// (Bun's opendir loses Buffer names); entries stream out directory by directory.
import { lstatSync, type Stats } from 'node:fs';
import { setImmediate } from 'node:timers';
import { entryOf, kindOfMode } from './crawl-entry.ts';
import type { CrawlHooks } from './crawl-hooks.ts';
import { absolute, topDest } from './crawl-start.ts';
import { lite, sysPath, type StatLite } from './dir-reader.ts';
import { crawlDone, crawlStarts } from './inside-dir.ts';
import { DirAhead, type AheadNode } from './dir-ahead.ts';
import { readWhileWaiting } from './early-reads.ts';
import { destChild } from './dest-probe.ts';
import type { Entry, SourceRoot } from './types.ts';

export { kindOf, kindOfMode } from './crawl-entry.ts';
export type { CrawlHooks } from './crawl-hooks.ts';

const DOT = Buffer.from('.');
const IS_DENO = 'Deno' in globalThis;
const FFFD = Buffer.from('\ufffd');
const DENO_RAW_NAME = 'name is not valid UTF-8: Deno cannot read it; copy this tree with the multisync binary or Bun';
/** Give the event loop a turn (child exits, progress, timers) after this much synchronous work. */
const SLICE_MS = 8;
const NON_ASCII = /[^\x00-\x7f]/;
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Paths are handled as latin1 strings (one char per byte: lossless for any name); see
 * dir-reader.ts for how a directory is read. Directories are walked depth-first in sorted
 * order; once the crawl has gone on for a while (a big tree), reader threads read the next
 * directories and their subtrees ahead of the walk (dir-ahead.ts). The event loop gets a turn
 * every few ms.
 */
export async function* crawl(root: SourceRoot, hooks: CrawlHooks = {}): AsyncGenerator<Entry> {
  for await (const batch of crawlBatches(root, hooks)) yield* batch;
}

/**
 * The crawl as one batch of entries per directory, in the same order: a yield per entry (a few
 * promises each) cost more than the lstat on a tree of small directories. Hooks run as in
 * crawl(): a directory's batch is handed over before its subtree is reported done.
 */
export async function* crawlBatches(root: SourceRoot, hooks: CrawlHooks = {}): AsyncGenerator<Entry[]> {
  const cwd = crawlStarts(hooks.insideReads === true);
  try {
    yield* walk(root, hooks, absolute(Buffer.from(root.base).toString('latin1'), cwd), cwd);
  } finally {
    crawlDone();
  }
}

async function* walk(root: SourceRoot, hooks: CrawlHooks, base: string, cwd: string): AsyncGenerator<Entry[]> {
  const baseAscii = !NON_ASCII.test(base);
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
  let topStat: StatLite;
  try {
    topStat = lstatSync(sysPath(base + top, topAscii));
  } catch (err) {
    fail(top, err);
    return;
  }
  const topKind = kindOfMode(topStat.mode);
  if (topKind !== 'dir') {
    yield [entryOf(top, topStat, topKind)];
    return;
  }

  // A directory's subtree is done when it was listed and all its subdirectories' subtrees are.
  interface Node extends AheadNode {
    rel: string;
    st: StatLite;
    parent: Node | null;
    pending: number;
    /** DST has this directory as rsync would leave it (destCheck). */
    same?: boolean;
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
  const dirOf = (rel: string) => (rel.length ? base + rel : base.length > 1 ? base.slice(0, -1) : base);
  // DST's listing still arriving: SRC is read meanwhile, the walk then takes what was read
  const ready = hooks.destReady?.();
  const early = ready && !hooks.dirDelayMs ? await readWhileWaiting(ready, dirOf(top), topAscii, hooks.oneFileSystem ? topStat.dev : -1, hooks.signal) : undefined;
  await ready;
  const topCheck = topDest(hooks.destCheck, base, top, cwd);
  // DST itself (a `src/` source's top) is the directory pass's own check (dir-pass.ts)
  // (DST on an ssh host: its own metadata too, which no local stat can see)
  if (hooks.destCheck && (top || hooks.destCheck.index) && !topCheck.same) hooks.onDirDiffers?.();
  const stack: Node[] = [{ rel: top, ascii: topAscii, st: topStat, parent: null, pending: -1, dest: topCheck.dest, same: topCheck.same }];
  let sliceStart = performance.now();
  const xdev = hooks.oneFileSystem ? topStat.dev : -1;
  // (a remote DST's listing is on this thread: no reader threads then)
  const ahead = new DirAhead((n) => dirOf((n as Node).rel), !!hooks.dirDelayMs || !!hooks.destCheck?.index, hooks.destCheck?.policy, xdev, hooks.othersIdle, hooks.crawlIsAll, hooks.readers, early);
  try {
    while (stack.length) {
      if (hooks.signal?.aborted) return;
      if (performance.now() - sliceStart >= SLICE_MS) {
        await yieldToLoop();
        sliceStart = performance.now();
        if (hooks.signal?.aborted) return;
      }
      await ahead.prepare(stack);
      const node = stack.pop()!;
      const { rel, st } = node;
      if (hooks.dirDelayMs) await new Promise((r) => setTimeout(r, hooks.dirDelayMs));
      const relBuf = rel.length ? bytes(rel) : DOT;
      hooks.onDir?.(relBuf, st as unknown as Stats);
      hooks.enterDir?.(relBuf);
      const pre = node.pre;
      const got = await ahead.take(node);
      const { listing, check } = got;
      if (got.extra) hooks.onDestExtras?.();
      if (pre) sliceStart = performance.now();
      if ('error' in listing) {
        fail(rel, listing.error);
        node.pending = 0;
        treeDone(node);
        continue;
      }
      const { names, stats } = listing;
      const prefix = rel.length ? `${rel}/` : '';
      let listed = 0;
      const subdirs: Node[] = [];
      const batch: Entry[] = [];
      for (let i = 0; i < names.length; i++) {
        const p = prefix + names[i];
        const cst = stats[i];
        if (cst instanceof Error) {
          fail(p, cst);
          continue;
        }
        const kind = kindOfMode(cst.mode);
        if (hooks.filter && !hooks.filter(bytes(p), kind === 'dir', cst as unknown as Stats)) {
          hooks.pruned?.();
          continue;
        }
        listed++;
        const code = check ? check[i] : 0;
        if (code === 1 && kind !== 'dir') {
          // DST has it as rsync would leave it: no bucket for it
          hooks.onSame?.(kind === 'file' ? cst.size : 0);
          hooks.pruned?.();
          continue;
        }
        if (kind === 'dir' && hooks.destCheck && code !== 1) hooks.onDirDiffers?.();
        if (kind === 'dir' && hooks.oneFileSystem && cst.dev !== topStat.dev) {
          // a mount point is kept as an empty directory, as rsync -x does
          hooks.onDir?.(bytes(p), cst as unknown as Stats);
          hooks.pruned?.();
          batch.push(entryOf(p, cst, 'dir'));
        } else if (kind === 'dir') {
          if (!hooks.skipTree?.(bytes(p))) {
            const ascii = node.ascii && !NON_ASCII.test(names[i]);
            const dest = code && node.dest ? destChild(node.dest, names[i], ascii) : undefined;
            const child: Node = { rel: p, ascii, st: lite(cst), parent: node, pending: -1, dest, same: code === 1 };
            ahead.adopt(child, got);
            subdirs.push(child);
          }
          else hooks.pruned?.();
        } else batch.push(entryOf(p, cst, kind));
      }
      // An empty directory (or one whose children were all filtered out) is an entry itself,
      // except the base of a `src/` copy, which rsync's destination already is.
      if (listed === 0 && rel.length) {
        if (node.same) {
          hooks.onSame?.(0);
          hooks.pruned?.();
        } else batch.push(entryOf(rel, st, 'dir'));
      }
      if (batch.length) yield batch;
      // Push in reverse so directories are walked in sorted order.
      for (let k = subdirs.length - 1; k >= 0; k--) stack.push(subdirs[k]);
      node.pending = subdirs.length;
      treeDone(node);
    }
  } finally {
    ahead.close();
  }
}
