// The listing a remote source's crawl reads (remote-crawl.ts): the GNU find command that prints
// one NUL-terminated record per entry (type, size, inode, device, links, path), and the parsers
// of those records (split as they stream in) and of the error lines find prints on stderr.
import { shPath, shQuote } from './remote.ts';
import type { EntryKind } from './types.ts';

const KINDS: Record<string, EntryKind | 'dir'> = { f: 'file', d: 'dir', l: 'symlink', p: 'fifo', s: 'socket', c: 'char', b: 'block' };
const FORMAT = '%y %s %i %D %n %P\\0';
/**
 * With the destination check (pull-check.ts): also mtime, permissions, owner and group (as
 * numbers) before the path, and the symlink target as a record of its own after it.
 */
export const CHECK_FORMAT = '%y %s %i %D %n %T@ %m %U %G %P\\0%l\\0';
export const DOT = Buffer.from('.');
export const SLASH = Buffer.from('/');

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

/**
 * One record `%y %s %i %D %n %P` (without its NUL); null when it is malformed. `more`: fields
 * after the first five (CHECK_FORMAT's), in `extra`. Read from the bytes, without a string per
 * field: a pull's crawl parses one per entry.
 */
export function parseRecord(rec: Buffer, more = 0): (FindRecord & { extra: string[] }) | null {
  const sp = rec.indexOf(0x20);
  if (sp < 0) return null;
  const type = sp === 1 ? (TYPES[rec[0]] ?? String.fromCharCode(rec[0])) : rec.toString('latin1', 0, sp);
  let at = sp + 1;
  const n = rec.length;
  const num = [0, 0, 0, 0];
  for (let k = 0; k < 4; k++) {
    let v = 0;
    const from = at;
    for (; at < n; at++) {
      const c = rec[at];
      if (c === 0x20) break;
      if (c < 0x30 || c > 0x39) return null;
      v = v * 10 + (c - 0x30);
    }
    if (at === from || at >= n) return null;
    // (past 2^53 a sum of digits rounds otherwise than Number does: an inode number must match its other records')
    num[k] = at - from > 15 ? Number(rec.toString('latin1', from, at)) : v;
    at++;
  }
  const extra: string[] = [];
  for (let k = 0; k < more; k++) {
    const end = rec.indexOf(0x20, at);
    if (end < 0) return null;
    extra.push(rec.toString('latin1', at, end));
    at = end + 1;
  }
  return { kind: KINDS[type] ?? null, type, size: num[0], ino: num[1], dev: num[2], nlink: num[3], rel: Buffer.from(rec.subarray(at)), extra };
}

/** The type letters' strings, by byte. */
const TYPES: Record<number, string> = Object.fromEntries(Object.keys(KINDS).map((t) => [t.charCodeAt(0), t]));

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

/** An Error with an errno-like code (for the crawl hooks' onError). */
export function errnoError(code: string, message: string): NodeJS.ErrnoException {
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
