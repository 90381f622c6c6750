// `multisync --files-from FILE [--from0] SRC DST`: the entries of a manifest instead of a crawl.
// Behaves like `rsync -a --files-from=FILE SRC DST`:
// - names are relative to SRC, trailing slash or not (rsync's --files-from rule);
// - NUL-separated with --from0, else one name per line, where '\r' ends a line too (rsync does);
// - blank lines and lines starting with '#' or ';' are skipped (rsync treats those as comments
//   in both modes: a name starting with '#' must be written './#name'); leading './' is dropped;
// - a listed directory is copied as a directory (created, metadata set), without its contents,
//   because -a does not imply -r with --files-from;
// - a name that does not exist is an error (not a warning: the manifest asked for it).
// Every directory the names pass through is reported once via hooks.onDir (the base itself as
// '.'), so the run's directory-metadata pass covers them.
import { lstat, open } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { crawl, kindOf, type CrawlHooks } from './crawler.ts';
import { fsPath } from './raw-path.ts';
import type { Entry, EntryKind, SourceRoot } from './types.ts';

const READ_SIZE = 256 * 1024;
const LSTAT_BATCH = 64;
const DOT = Buffer.from('.');

function errno(code: string, message: string): NodeJS.ErrnoException {
  const e = new Error(message) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

/** Raw records of a manifest file, streamed (separators: NUL, or '\n' and '\r'). */
export async function* manifestRecords(file: string, from0: boolean): AsyncGenerator<Buffer> {
  const fh = await open(file, 'r');
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
 * A record as a clean relative path: '' for the base itself, null for a comment or blank line.
 * Empty and '.' components go ('./a//b/' → 'a/b'); '..' is refused (it would leave SRC).
 */
export function manifestPath(rec: Buffer): Buffer | null {
  if (!rec.length || rec[0] === 0x23 || rec[0] === 0x3b) return null;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= rec.length; i++) {
    if (i < rec.length && rec[i] !== 0x2f) continue;
    const part = rec.subarray(start, i);
    start = i + 1;
    if (!part.length || (part.length === 1 && part[0] === 0x2e)) continue;
    if (part.length === 2 && part[0] === 0x2e && part[1] === 0x2e) throw errno('EINVAL', "'..' in a manifest path");
    parts.push(part);
  }
  const out: Buffer[] = [];
  parts.forEach((p, k) => out.push(...(k ? [Buffer.from('/'), p] : [p])));
  return Buffer.concat(out);
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
  /** Directories already reported (latin1 keys), with whether they are usable (a real directory, kept by the filter). */
  const dirs = new Map<string, boolean>();

  const baseStat = await lstat(abs(Buffer.alloc(0))).catch((err) => (fail(Buffer.alloc(0), err), null));
  if (!baseStat) return;
  dirs.set('', true);
  hooks.onDir?.(DOT, baseStat);

  /** Reports every parent of rel once; false when one is unusable (the entry is then skipped). */
  const parents = async (rel: Buffer): Promise<boolean> => {
    for (let i = rel.indexOf(0x2f); i >= 0; i = rel.indexOf(0x2f, i + 1)) {
      const dir = rel.subarray(0, i);
      const key = dir.toString('latin1');
      const known = dirs.get(key);
      if (known === false) return false;
      if (known) continue;
      let st: Stats;
      try {
        st = await lstat(abs(dir));
      } catch (err) {
        dirs.set(key, false);
        fail(Buffer.from(dir), err);
        return false;
      }
      if (!st.isDirectory()) {
        dirs.set(key, false);
        fail(Buffer.from(dir), errno('ENOTDIR', 'not a directory (symlinks are not followed)'));
        return false;
      }
      if (hooks.filter && !hooks.filter(Buffer.from(dir), true, st)) {
        dirs.set(key, false);
        return false;
      }
      dirs.set(key, true);
      hooks.onDir?.(Buffer.from(dir), st);
    }
    return true;
  };

  let batch: Buffer[] = [];
  async function* drain(): AsyncGenerator<Entry> {
    const stats = await Promise.all(batch.map((rel) => lstat(abs(rel)).catch((err: unknown) => err as Error)));
    const rels = batch;
    batch = [];
    for (let j = 0; j < rels.length; j++) {
      const rel = rels[j];
      const st = stats[j];
      if (st instanceof Error) {
        // a missing parent makes the name missing too: one error, for the name
        fail(rel, st);
        continue;
      }
      if (!(await parents(rel))) continue;
      const isDir = st.isDirectory();
      if (hooks.filter && !hooks.filter(rel, isDir, st)) continue;
      if (isDir) {
        const key = rel.toString('latin1');
        if (dirs.has(key)) continue; // listed twice, or already passed through: its metadata is covered
        dirs.set(key, true);
        hooks.onDir?.(rel, st);
      }
      yield entryOf(rel, st);
    }
  }

  for await (const rec of manifestRecords(file, from0)) {
    if (hooks.signal?.aborted) return;
    let rel: Buffer | null;
    try {
      rel = manifestPath(rec);
    } catch (err) {
      fail(rec, err);
      continue;
    }
    if (rel === null || !rel.length) continue; // comment, blank, or the base itself (reported above)
    batch.push(rel);
    if (batch.length >= LSTAT_BATCH) yield* drain();
  }
  if (batch.length && !hooks.signal?.aborted) yield* drain();
}

/** The entries of one source: its manifest when the run has one (--files-from), else a crawl. */
export function sourceEntries(root: SourceRoot, filesFrom: { file: string; from0: boolean } | undefined, hooks: CrawlHooks): AsyncGenerator<Entry> {
  return filesFrom ? crawlManifest(root, filesFrom.file, filesFrom.from0, hooks) : crawl(root, hooks);
}
