// Crawl of a remote source ([user@]host:path, a pull): GNU find runs on the remote host over ssh
// and prints one NUL-terminated record per entry (type, size, inode, device, links, path); the
// records are parsed as they stream in (never the whole listing in memory) and turned into the
// same entries the local crawler yields: every non-directory and every directory left empty
// (after the filter rules), every directory reported to onDir for the metadata pass. Symlinks are
// never followed (find -P); -x is find -xdev (a mount point stays, as an empty directory).
import { spawn } from 'node:child_process';
import type { Stats } from 'node:fs';
import type { RunConfig } from './config.ts';
import type { CrawlHooks } from './crawler.ts';
import { manifestPath, manifestRecords, sourceEntries } from './manifest.ts';
import { parseRemote, shPath, shQuote, sshHost } from './remote.ts';
import { sshArgv } from './ssh-control.ts';
import type { Entry, EntryKind, SourceRoot } from './types.ts';

const KINDS: Record<string, EntryKind | 'dir'> = { f: 'file', d: 'dir', l: 'symlink', p: 'fifo', s: 'socket', c: 'char', b: 'block' };
const FORMAT = '%y %s %i %D %n %P\\0';
const DOT = Buffer.from('.');
const SLASH = Buffer.from('/');
const NO_STAT = undefined as unknown as Stats;

/** The find path for a remote path: '.' for the home directory, './-x' for a name find would read as an option. */
export function findPath(path: string): string {
  if (path === '') return '.';
  if (/^(\/|~|\.\.?(\/|$))/.test(path)) return path;
  return `./${path}`;
}

/** The remote command that lists `path` (its own record first, with an empty %P), by `format` (find -printf's). */
export function findCommand(path: string, oneFileSystem: boolean, format = FORMAT): string {
  const start = findPath(path).replace(/(.)\/+$/, '$1');
  return `env LC_ALL=C find -P ${shPath(start)}${oneFileSystem ? ' -xdev' : ''} -printf ${shQuote(format)}`;
}

export interface FindRecord {
  kind: EntryKind | 'dir' | null;
  /** The raw type letter (for an error about an unknown type). */
  type: string;
  size: number;
  ino: number;
  dev: number;
  nlink: number;
  /** Path below the find start point, raw bytes ('' for the start point itself). */
  rel: Buffer;
}

/** One record `%y %s %i %D %n %P` (without its NUL); null when it is malformed. */
export function parseRecord(rec: Buffer): FindRecord | null {
  const fields: string[] = [];
  let start = 0;
  for (let k = 0; k < 5; k++) {
    const sp = rec.indexOf(0x20, start);
    if (sp < 0) return null;
    fields.push(rec.subarray(start, sp).toString('latin1'));
    start = sp + 1;
  }
  const [type, size, ino, dev, nlink] = fields;
  if (![size, ino, dev, nlink].every((f) => /^\d+$/.test(f))) return null;
  return { kind: KINDS[type] ?? null, type, size: Number(size), ino: Number(ino), dev: Number(dev), nlink: Number(nlink), rel: Buffer.from(rec.subarray(start)) };
}

/** Splits a byte stream into NUL-terminated records. */
export class RecordSplitter {
  private rest: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    const data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (let i = data.indexOf(0); i >= 0; i = data.indexOf(0, start)) {
      out.push(data.subarray(start, i));
      start = i + 1;
    }
    this.rest = Buffer.from(data.subarray(start));
    return out;
  }
  get pending(): number {
    return this.rest.length;
  }
}

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  const e = new Error(message) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

/** `find: 'PATH': MESSAGE` (LC_ALL=C) → the path and an errno-like error. */
export function parseFindError(line: string): { path: string; error: NodeJS.ErrnoException } {
  const m = /^find: '(.*)': (.*)$/.exec(line) ?? /^find: ‘(.*)’: (.*)$/.exec(line);
  if (!m) return { path: '', error: errnoError('EIO', line) };
  const code = /Permission denied/.test(m[2]) ? 'EACCES' : /No such file/.test(m[2]) ? 'ENOENT' : /Not a directory/.test(m[2]) ? 'ENOTDIR' : 'EIO';
  return { path: m[1], error: errnoError(code, m[2]) };
}

/**
 * Turns find records (pre-order: a directory before its contents) into crawler entries, applying
 * the filter hook; a directory with no kept child is an entry itself (except the base of `src/`).
 */
export class ListingWalker {
  private stack: Array<{ rel: Buffer; listed: boolean }> = [];
  private skip: Buffer | null = null;
  private top: Buffer;

  constructor(
    private prefix: Buffer,
    private hooks: CrawlHooks,
  ) {
    this.top = prefix;
  }

  private full(rel: Buffer): Buffer {
    if (!this.prefix.length) return rel;
    return rel.length ? Buffer.concat([this.prefix, SLASH, rel]) : this.prefix;
  }

  /** Closes directories that are not ancestors of `path`; yields those left empty. */
  private *close(path: Buffer | null): Generator<Entry> {
    while (this.stack.length) {
      const d = this.stack[this.stack.length - 1];
      if (path && (d.rel.length === 0 || (path.length > d.rel.length && path[d.rel.length] === 0x2f && path.subarray(0, d.rel.length).equals(d.rel)))) return;
      this.stack.pop();
      if (!d.listed && d.rel.length) yield { path: d.rel, kind: 'dir', size: 0, ino: 0, dev: 0, nlink: 1 };
      this.hooks.onTreeDone?.(d.rel.length ? d.rel : DOT);
    }
  }

  *record(r: FindRecord): Generator<Entry> {
    const path = this.full(r.rel);
    if (this.skip && path.length > this.skip.length && path[this.skip.length] === 0x2f && path.subarray(0, this.skip.length).equals(this.skip)) return;
    this.skip = null;
    yield* this.close(path);
    if (!r.kind) {
      this.hooks.onError?.(path.length ? path : DOT, errnoError('EIO', `unknown file type '${r.type}'`), false);
      return;
    }
    const isDir = r.kind === 'dir';
    const isTop = r.rel.length === 0;
    if (!isTop && this.hooks.filter && !this.hooks.filter(path, isDir, NO_STAT)) {
      if (isDir) this.skip = path;
      return;
    }
    if (this.stack.length) this.stack[this.stack.length - 1].listed = true;
    if (isDir && !isTop && this.hooks.skipTree?.(path)) {
      this.skip = path; // resume: an earlier run bucketed this whole subtree
      return;
    }
    if (isDir) {
      this.hooks.onDir?.(path.length ? path : DOT, NO_STAT);
      this.stack.push({ rel: path, listed: false });
    } else {
      yield { path, kind: r.kind as EntryKind, size: r.kind === 'file' ? r.size : 0, ino: r.ino, dev: r.dev, nlink: r.nlink };
    }
  }

  *end(): Generator<Entry> {
    yield* this.close(null);
  }
}

/** The entries of a remote source, streamed from `ssh HOST find …`. */
export async function* remoteCrawl(root: SourceRoot, cfg: Pick<RunConfig, 'rsh' | 'sshControlDir' | 'oneFileSystem'>, hooks: CrawlHooks = {}): AsyncGenerator<Entry> {
  const spec = parseRemote(root.base);
  if (!spec || spec.kind !== 'ssh') throw new Error(`not an ssh source: ${root.arg}`);
  const basePath = spec.path;
  const start = basePath + root.prefix;
  const ssh = sshArgv(cfg.rsh, cfg.sshControlDir);
  const child = spawn(ssh[0], [...ssh.slice(1), sshHost(spec.host), findCommand(start, cfg.oneFileSystem)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const onAbort = () => child.kill('SIGTERM');
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
  child.stderr.on('data', (d: Buffer) => errLines(d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code));
  });

  const walker = new ListingWalker(Buffer.from(root.prefix), hooks);
  const splitter = new RecordSplitter();
  let records = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const rec of splitter.push(chunk)) {
        const r = parseRecord(rec);
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
        yield* walker.record(r);
      }
      if (hooks.signal?.aborted) break;
    }
    const code = await exited;
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
    if (child.exitCode === null) child.kill('SIGTERM');
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
