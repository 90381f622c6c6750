// `multisync --files-from FILE [--from0] SRC DST`: the entries of a manifest instead of a crawl.
// Behaves like `rsync -a --files-from=FILE SRC DST`:
// - names are relative to SRC, trailing slash or not (rsync's --files-from rule);
// - NUL-separated with --from0, else one name per line, where '\r' ends a line too (rsync does);
// - blank lines and lines starting with '#' or ';' are skipped (rsync treats those as comments
//   in both modes: a name starting with '#' must be written './#name'); leading './' is dropped;
// - a listed directory is copied as a directory (created, metadata set), without its contents,
//   because -a does not imply -r with --files-from; but 'dir/' (trailing slash) and '.' also
//   bring the directory's immediate children (subdirectories as directories only), as rsync's
//   implied --dirs does;
// - a name that does not exist is an error (not a warning: the manifest asked for it).
// Every directory the names pass through is reported once via hooks.onDir, so the run's
// directory-metadata pass covers them. The base itself is not: like rsync --files-from, DST
// keeps its own mode and times (a '.' in the metadata pass would copy the base's files too).
// node:fs/promises is loaded on first use: importing it costs every run ~8 ms of start-up
const fsp = () => import('node:fs/promises');
import type { Stats } from 'node:fs';
import { crawlBatches, kindOf, type CrawlHooks } from './crawler.ts';
import { asBuffer, fsPath } from './raw-path.ts';
import type { Entry, EntryKind, SourceRoot } from './types.ts';

const READ_SIZE = 256 * 1024;
const LSTAT_BATCH = 64;
const DOT = Buffer.from('.');
const SLASH = Buffer.from('/');

function errno(code: string, message: string): NodeJS.ErrnoException {
  const e = new Error(message) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

/** Raw records of a manifest file, streamed (separators: NUL, or '\n' and '\r'). */
export async function* manifestRecords(file: string, from0: boolean): AsyncGenerator<Buffer> {
  const fh = await (await fsp()).open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_SIZE);
    let rest: Buffer = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, READ_SIZE, null);
      if (bytesRead === 0) break;
      const data = rest.length ? Buffer.concat([rest, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let start = 0;
      for (let i = 0; i < data.length; i++) {
        const c = data[i];
        if (c === 0 || (!from0 && (c === 0x0a || c === 0x0d))) {
          yield Buffer.from(data.subarray(start, i));
          start = i + 1;
        }
      }
      rest = Buffer.from(data.subarray(start));
    }
    if (rest.length) yield rest;
  } finally {
    await fh.close();
  }
}

/**
 * A record as a clean relative path ('' for the base itself) and whether the directory's
 * children come too ('dir/' or '.'); null for a comment or blank line.
 * Empty components and a leading './' go ('./a//b/' → 'a/b'); '..' (it would leave SRC) and a
 * '/./' inside (rsync -R's marker) are refused.
 */
export function manifestPath(rec: Buffer): { path: Buffer; contents: boolean } | null {
  if (!rec.length || rec[0] === 0x23 || rec[0] === 0x3b) return null;
  const last = rec[rec.length - 1];
  const contents = last === 0x2f || (last === 0x2e && (rec.length === 1 || rec[rec.length - 2] === 0x2f));
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= rec.length; i++) {
    if (i < rec.length && rec[i] !== 0x2f) continue;
    const part = rec.subarray(start, i);
    start = i + 1;
    if (!part.length) continue;
    if (part.length === 1 && part[0] === 0x2e) {
      // rsync -R (implied by --files-from) reads a '/./' inside a path as "the destination path
      // starts here": not supported; a leading './' and a final '/.' are harmless
      if (parts.length && i < rec.length) throw errno('EINVAL', "'/./' (rsync's --relative marker) in a manifest path is not supported");
      continue;
    }
    if (part.length === 2 && part[0] === 0x2e && part[1] === 0x2e) throw errno('EINVAL', "'..' in a manifest path");
    parts.push(part);
  }
  const out: Buffer[] = [];
  parts.forEach((p, k) => out.push(...(k ? [Buffer.from('/'), p] : [p])));
  return { path: Buffer.concat(out), contents };
}

function entryOf(rel: Buffer, st: Stats): Entry {
  const kind = kindOf(st) as EntryKind;
  return { path: rel, kind, size: kind === 'file' ? st.size : 0, ino: st.ino, dev: st.dev, nlink: st.nlink };
}

/** The manifest's entries under root.base (root.prefix is ignored: names are relative to SRC). */
export async function* crawlManifest(root: SourceRoot, file: string, from0: boolean, hooks: CrawlHooks = {}): AsyncGenerator<Entry> {
  const base = Buffer.from(root.base.endsWith('/') ? root.base : `${root.base}/`);
  const abs = (rel: Buffer) => fsPath(rel.length ? Buffer.concat([base, rel]) : base);
  const fail = (rel: Buffer, err: unknown) => hooks.onError?.(rel.length ? rel : DOT, err as NodeJS.ErrnoException, false);
  /** Directories met (latin1 keys) → usable (a real directory, not filtered out). '' is the base. */
  const dirs = new Map<string, boolean>([['', true]]);
  const { lstat, readdir } = await fsp();

  /** Reports every parent of rel once; false when one is unusable (the entry is then skipped). */
  const parents = async (rel: Buffer): Promise<boolean> => {
    for (let i = rel.indexOf(0x2f); i >= 0; i = rel.indexOf(0x2f, i + 1)) {
      const dir = Buffer.from(rel.subarray(0, i));
      const key = dir.toString('latin1');
      const known = dirs.get(key);
      if (known === false) return false;
      if (known) continue;
      let st: Stats;
      try {
        st = await lstat(abs(dir));
      } catch (err) {
        dirs.set(key, false);
        fail(dir, err);
        return false;
      }
      const usable = st.isDirectory() && (!hooks.filter || hooks.filter(dir, true, st));
      dirs.set(key, usable);
      if (!st.isDirectory()) fail(dir, errno('ENOTDIR', 'not a directory (symlinks are not followed)'));
      if (!usable) return false;
      hooks.onDir?.(dir, st);
    }
    return true;
  };

  /** The entry for rel, or null when it is left out; a directory is reported once. */
  const take = (rel: Buffer, st: Stats): Entry | null => {
    const isDir = st.isDirectory();
    if (hooks.filter && !hooks.filter(rel, isDir, st)) return null;
    if (isDir) {
      const key = rel.toString('latin1');
      if (dirs.has(key)) return null; // listed twice, or already passed through: its metadata is covered
      dirs.set(key, true);
      hooks.onDir?.(rel, st);
    }
    return entryOf(rel, st);
  };

  /** 'dir/' or '.': the directory's immediate children (subdirectories without their contents). */
  async function* children(rel: Buffer): AsyncGenerator<Entry> {
    let names: Buffer[];
    try {
      names = ((await readdir(abs(rel), { encoding: 'buffer' })) as Uint8Array[]).map(asBuffer).sort(Buffer.compare);
    } catch (err) {
      fail(rel, err);
      return;
    }
    for (let i = 0; i < names.length; i += LSTAT_BATCH) {
      const batch = names.slice(i, i + LSTAT_BATCH).map((n) => (rel.length ? Buffer.concat([rel, SLASH, n]) : n));
      const stats = await Promise.all(batch.map((p) => lstat(abs(p)).catch((err: unknown) => err as Error)));
      for (let j = 0; j < batch.length; j++) {
        const st = stats[j];
        if (st instanceof Error) fail(batch[j], st);
        else {
          const e = take(batch[j], st);
          if (e) yield e;
        }
      }
    }
  }

  // a bad record travels with the batch, so errors come out in the manifest's order
  let batch: Array<{ path: Buffer; contents: boolean; bad?: Error }> = [];
  async function* drain(): AsyncGenerator<Entry> {
    const stats = await Promise.all(batch.map((r) => r.bad ?? lstat(abs(r.path)).catch((err: unknown) => err as Error)));
    const recs = batch;
    batch = [];
    for (let j = 0; j < recs.length; j++) {
      const { path: rel, contents } = recs[j];
      const st = stats[j];
      // a missing parent makes the name missing too: one error, for the name
      if (st instanceof Error) fail(rel, st);
      else if (!rel.length) {
        if (contents && st.isDirectory()) yield* children(rel);
      } else if (await parents(rel)) {
        const e = take(rel, st);
        if (e) yield e;
        if (contents && st.isDirectory() && dirs.get(rel.toString('latin1'))) yield* children(rel);
      }
    }
  }

  for await (const rec of manifestRecords(file, from0)) {
    if (hooks.signal?.aborted) return;
    let r: { path: Buffer; contents: boolean; bad?: Error } | null;
    try {
      r = manifestPath(rec);
    } catch (err) {
      r = { path: rec, contents: false, bad: err as Error };
    }
    if (r === null || (!r.path.length && !r.contents)) continue; // comment, blank line, or the base itself
    batch.push(r);
    if (batch.length >= LSTAT_BATCH) yield* drain();
  }
  if (batch.length && !hooks.signal?.aborted) yield* drain();
}

/**
 * The entries of one source: its manifest when the run has one (--files-from), else a crawl
 * (which hands them over a directory at a time).
 */
export function sourceEntries(root: SourceRoot, filesFrom: { file: string; from0: boolean } | undefined, hooks: CrawlHooks): AsyncGenerator<Entry | Entry[]> {
  return filesFrom ? crawlManifest(root, filesFrom.file, filesFrom.from0, hooks) : crawlBatches(root, hooks);
}
