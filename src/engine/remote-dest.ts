// The destination check for a DST on an ssh host: one `find -printf` listing of DST over the
// run's shared ssh connection, held as a map (path → what the check compares), against which the
// crawler checks each SRC entry by the rules it uses for a local DST (dest-check.ts). A re-run
// into a remote DST then starts an rsync only for what changed, instead of one per bucket.
// When in doubt (a listing that fails, is malformed or too big: MAX_INDEX) there is no check: rsync decides.
import { spawn } from 'node:child_process';
import { entryCode, sameEntry, type CheckPolicy, type MetaStat } from './dest-check.ts';
import { findCommand, RecordSplitter } from './remote-crawl.ts';
import { sshHost } from './remote.ts';
import { sshArgv } from './ssh-control.ts';

/** One DST entry as the check sees it (mode: type and permission bits, as lstat gives them). */
export interface DestRecord extends MetaStat {
  /** A symlink's target. */
  link?: Buffer;
}

/** DST's entries by latin1 path relative to DST ('' for DST itself). */
export type DestIndex = Map<string, DestRecord>;

/**
 * Above this many entries the listing is dropped and rsync checks as it always does: the map
 * costs ~170 MB of heap (~280 MB RSS) per million entries (measured), so this bounds it.
 */
export const MAX_INDEX = 500_000;

/** Type, size, mtime (seconds.fraction), permissions, uid, gid, links; then path and link target. */
export const DEST_FORMAT = '%y %s %T@ %m %U %G %n\\0%P\\0%l\\0';
const TYPES: Record<string, number> = { f: 0o100000, d: 0o040000, l: 0o120000, p: 0o010000, s: 0o140000, c: 0o020000, b: 0o060000 };

/** Whole seconds of find's `%T@` ("1600000000.5000000000", "-1.2500000000"), exactly; NaN if malformed. */
export function wholeSeconds(t: string): number {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return NaN;
  const int = Number(m[2]);
  const frac = !!m[3] && /[1-9]/.test(m[3]);
  return m[1] ? -int - (frac ? 1 : 0) : int;
}

/** The head field of one record ("%y %s %T@ %m %U %G %n"), or null when malformed. */
export function parseHead(head: string): DestRecord | null {
  const f = head.split(' ');
  if (f.length !== 7) return null;
  const type = TYPES[f[0]];
  const mtimeS = wholeSeconds(f[2]);
  const [size, uid, gid, nlink] = [f[1], f[4], f[5], f[6]].map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
  const perms = /^[0-7]{1,5}$/.test(f[3]) ? parseInt(f[3], 8) : NaN;
  if (type === undefined || [size, uid, gid, nlink, perms, mtimeS].some((x) => x !== x)) return null;
  // (find cannot print a device's numbers: NaN makes a device always differ)
  return { mode: type | perms, size, mtimeS, uid, gid, nlink, rdev: type === 0o020000 || type === 0o060000 ? NaN : 0 };
}

/**
 * Builds the index from find's fields (DEST_FORMAT: head, path, link target, each ended by a
 * NUL), given one at a time as latin1 strings. `bad`: a malformed record was met (no index then).
 */
export class ListingParser {
  readonly index: DestIndex = new Map();
  private field = 0;
  private rec: DestRecord | null = null;
  private key = '';
  bad = false;

  add(part: string): void {
    if (this.field === 0) {
      this.rec = parseHead(part);
      if (!this.rec) this.bad = true;
    } else if (this.field === 1) this.key = part;
    else if (this.rec) {
      if ((this.rec.mode & 0o170000) === 0o120000) this.rec.link = Buffer.from(part, 'latin1');
      this.index.set(this.key, this.rec);
    }
    this.field = (this.field + 1) % 3;
  }

  /** The index, if the fields ended with a whole record and it has DST itself (''). */
  result(): DestIndex | null {
    return this.bad || this.field !== 0 || !this.index.has('') ? null : this.index;
  }
}

/**
 * Lists DST on its host (find over the run's shared ssh connection); null when the listing
 * cannot be had whole (find failed, a malformed record, more than MAX_INDEX entries). (The
 * pre-flight lists an existing DST in its own command: this is for when it did not.)
 */
export function listRemoteDest(
  cfg: { rsh?: string; sshControlDir?: string },
  host: string,
  path: string,
  signal?: AbortSignal,
): Promise<DestIndex | null> {
  const ssh = sshArgv(cfg.rsh, cfg.sshControlDir);
  const child = spawn(ssh[0], [...ssh.slice(1), sshHost(host), findCommand(path, false, DEST_FORMAT)], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve) => {
    const parser = new ListingParser();
    const splitter = new RecordSplitter();
    let failed = false;
    const fail = () => {
      failed = true;
      if (child.exitCode === null) child.kill('SIGTERM');
    };
    const onAbort = () => fail();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (failed) return;
      for (const part of splitter.push(chunk)) parser.add(part.toString('latin1'));
      if (parser.bad || parser.index.size > MAX_INDEX) fail();
    });
    child.on('error', fail);
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(failed || code !== 0 || splitter.pending ? null : parser.result());
    });
  });
}

/** The index in a whole listing (DEST_FORMAT records), or null when it is not whole or too big. */
export function parseListing(data: Buffer): DestIndex | null {
  const text = data.toString('latin1');
  const parser = new ListingParser();
  let start = 0;
  for (let i = text.indexOf('\0'); i >= 0 && !parser.bad; i = text.indexOf('\0', start)) {
    parser.add(text.slice(start, i));
    start = i + 1;
    if (parser.index.size > MAX_INDEX) return null;
  }
  return start === text.length ? parser.result() : null;
}

/**
 * Check codes (as dest-probe.ts's) for names whose SRC lstats are `num` (dir-reader's full read),
 * against DST's index under key prefix `dir` ('' for DST itself). `readLink` reads a SRC symlink.
 */
export function indexedCodes(names: string[], num: Float64Array, dir: string, index: DestIndex, policy: CheckPolicy, readLink: (name: string) => Buffer | null): Uint8Array {
  const check = new Uint8Array(names.length);
  for (let i = 0, k = 0; i < names.length; i++, k += 9) {
    if (num[k] < 0) continue;
    const d = index.get(dir ? `${dir}/${names[i]}` : names[i]);
    if (!d) continue;
    const link = d.link;
    check[i] = entryCode(num, k, d, policy, sameEntry, () => !!link && (readLink(names[i])?.equals(link) ?? false));
  }
  return check;
}
