// Crawl of a remote source ([user@]host:path, a pull): GNU find runs on the remote host over ssh
// and prints one NUL-terminated record per entry (type, size, inode, device, links, path); the
// records are parsed as they stream in (never the whole listing in memory, find-records.ts) and
// turned into the same entries the local crawler yields (listing-walker.ts): every non-directory
// and every directory left empty (after the filter rules), every directory reported to onDir for
// the metadata pass. Symlinks are never followed (find -P); -x is find -xdev (a mount point
// stays, as an empty directory).
import type { RunConfig } from './config.ts';
import type { CrawlHooks } from './crawler.ts';
import { DOT, errnoError, findPath, parseFindError, parseRecord, RecordSplitter, SLASH } from './find-records.ts';
import { ListingWalker } from './listing-walker.ts';
import { sameInDest, srcMeta } from './pull-check.ts';
import { manifestPath, manifestRecords, sourceEntries } from './manifest.ts';
import { parseRemote } from './remote.ts';
import { endRecord, MARK_BYTE } from './listing-end.ts';
import { sourceListing } from './source-listing.ts';
import type { Entry, EntryKind, SourceRoot } from './types.ts';

export { findCommand, findPath, parseFindError, parseRecord, RecordSplitter } from './find-records.ts';
export { ListingWalker } from './listing-walker.ts';

/** The entries of a remote source, streamed from `ssh HOST find …`. */
export async function* remoteCrawl(root: SourceRoot, cfg: Pick<RunConfig, 'rsh' | 'sshControlDir' | 'oneFileSystem' | 'sourceListing'>, hooks: CrawlHooks = {}): AsyncGenerator<Entry> {
  const spec = parseRemote(root.base);
  if (!spec || spec.kind !== 'ssh') throw new Error(`not an ssh source: ${root.arg}`);
  const start = spec.path + root.prefix;
  // a local DST checked entry by entry (pull-check.ts): the listing carries what the check compares
  const check = hooks.destCheck && !hooks.destCheck.index ? hooks.destCheck : undefined;
  // (the pre-flight's, when it started it: source-listing.ts)
  const listing = sourceListing(root, cfg, !!check);
  const onAbort = () => listing.stop();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  let stderr = '';
  let stderrRest = '';
  const startText = findPath(start).replace(/(.)\/+$/, '$1');
  const relOf = (p: string) => {
    const rel = p === startText ? '' : p.startsWith(`${startText}/`) ? p.slice(startText.length + 1) : p;
    return root.prefix ? (rel ? `${root.prefix}/${rel}` : root.prefix) : rel;
  };
  const errLines = (text: string) => {
    const lines = (stderrRest + text).split('\n');
    stderrRest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('find: ')) {
        if (line.trim() && stderr.length < 4000) stderr += `${line}\n`;
        continue;
      }
      const { path, error } = parseFindError(line);
      const rel = relOf(path);
      hooks.onError?.(rel ? Buffer.from(rel) : DOT, error, error.code === 'ENOENT');
    }
  };

  const walker = new ListingWalker(Buffer.from(root.prefix), hooks);
  const prefix = Buffer.from(root.prefix);
  const fullPath = (rel: Buffer) => (!prefix.length ? rel : rel.length ? Buffer.concat([prefix, SLASH, rel]) : prefix);
  const splitter = new RecordSplitter();
  let records = 0;
  // (with the check each entry is two records: its head and path, then its symlink target)
  let head: Buffer | null = null;
  /** find's status from the listing's end mark (source-listing.ts: a session that stays for the daemon). */
  let marked: number | undefined;
  try {
    listed: for await (const chunk of listing.take(errLines)) {
      for (const rec of splitter.push(chunk)) {
        if (!head && rec[0] === MARK_BYTE && (marked = endRecord(rec)) !== undefined) break listed;
        if (check && !head) {
          head = rec;
          continue;
        }
        const r = check ? parseRecord(head!, 4) : parseRecord(rec);
        const link = rec;
        head = null;
        records++;
        if (!r) {
          hooks.onError?.(DOT, errnoError('EIO', `unreadable listing record from ${spec.host}`), false);
          continue;
        }
        if (records === 1 && r.rel.length === 0 && r.kind !== 'dir' && r.kind) {
          // the source is a single non-directory (a `host:file` source)
          yield { path: Buffer.from(root.prefix), kind: r.kind as EntryKind, size: r.kind === 'file' ? r.size : 0, ino: r.ino, dev: r.dev, nlink: r.nlink };
          continue;
        }
        const meta = check && r.kind ? srcMeta(r) : null;
        if (!meta || r.kind === 'dir') {
          // (a directory: counted when DST lacks it or has it with other metadata, or its numbers
          // are unreadable, for the directory pass)
          if (check && r.kind === 'dir' && (!meta || !sameInDest(check.root, fullPath(r.rel), meta, link, check.policy))) hooks.onDirDiffers?.();
          yield* walker.record(r);
          continue;
        }
        // (the record's own entry is the one that is not a directory: the others close empty ones)
        for (const e of walker.record(r)) {
          if (e.kind !== 'dir' && sameInDest(check!.root, e.path, meta, link, check!.policy)) {
            hooks.onSame?.(e.size);
            hooks.pruned?.();
          } else yield e;
        }
      }
      if (hooks.signal?.aborted) break;
    }
    let code: number | null;
    if (marked === undefined) code = await listing.closed;
    else {
      // (the session runs on for the daemon: the listing ended with find's status)
      listing.done();
      await listing.errorsEnded;
      code = marked;
    }
    errLines('\n');
    if (!hooks.signal?.aborted) {
      yield* walker.end();
      if (code === 255 || code === null || (code !== 0 && records === 0)) {
        const why = stderr.split('\n').find((l) => l.trim()) ?? `ssh exit ${code}`;
        hooks.onError?.(Buffer.from(root.prefix || '.'), errnoError(code === 255 || code === null ? 'EHOSTUNREACH' : 'EIO', `listing ${root.arg} over ssh failed: ${why}`), false);
      }
    }
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
    listing.stop();
  }
}

/** The entries of one source: a remote crawl for `host:path`, else the local crawl or manifest. */
export function sourceEntriesFor(cfg: RunConfig, root: SourceRoot, manifest: RunConfig['filesFrom'], hooks: CrawlHooks): AsyncGenerator<Entry | Entry[]> {
  const spec = parseRemote(root.arg);
  if (spec?.kind !== 'ssh') return sourceEntries(root, manifest, hooks);
  return manifest ? remoteManifest(manifest, hooks) : remoteCrawl(root, cfg, hooks);
}

/**
 * A manifest over a remote source: its names cannot be checked here, so they go to rsync as
 * they are (rsync reports a missing one); every name counts as one entry of unknown size.
 */
async function* remoteManifest(manifest: NonNullable<RunConfig['filesFrom']>, hooks: CrawlHooks): AsyncGenerator<Entry> {
  for await (const rec of manifestRecords(manifest.file, manifest.from0)) {
    if (hooks.signal?.aborted) return;
    let p: ReturnType<typeof manifestPath>;
    try {
      p = manifestPath(rec);
    } catch (err) {
      hooks.onError?.(rec, err as NodeJS.ErrnoException, false);
      continue;
    }
    if (!p || !p.path.length) continue;
    yield { path: p.contents ? Buffer.concat([p.path, SLASH]) : p.path, kind: 'file', size: 0, ino: 0, dev: 0, nlink: 1 };
  }
}
