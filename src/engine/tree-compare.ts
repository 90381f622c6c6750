// Compare two directory trees entry by entry, the way a test wants to check
// that a copy (rsync -a, cp -a, multisync) is faithful. Names are raw bytes,
// symlinks are never followed, regular files are compared by streaming.
import { promises as fsp } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { displayPath, fmtMode, fmtNs, kindOf } from './tree-display.ts';
import { Limiter, firstDifference } from './file-compare.ts';
import { asBuffer, fsPath, joinRaw } from './raw-path.ts';

export { displayPath } from './tree-display.ts';

export interface Difference {
  /** Path relative to the tree roots ('.' for the roots themselves), non-UTF-8 bytes as `\xff`. */
  path: string;
  /** missing | extra | type | size | content | mode | uid | gid | mtime | target | rdev | hardlink | error */
  what: string;
  a?: string;
  b?: string;
}

export interface CompareOptions {
  /** Compare directory mtimes, and mode/owner/mtime of the two roots (default true). */
  dirTimes?: boolean;
  /** Compare uid/gid (default true). */
  owners?: boolean;
  /** Check that two paths are hard-linked in a iff they are in b (default false). */
  hardlinks?: boolean;
  /** Skip a path (and everything below it) in both trees; gets the relative raw path. */
  ignore?: (rel: Buffer) => boolean;
}

const MAX_DIFFS = 1000;

const errText = (e: unknown): string => (e as NodeJS.ErrnoException)?.code ?? String(e);

interface LinkRec { rel: Buffer; ka: string; kb: string }

class TreeComparer {
  readonly diffs: { rel: Buffer; d: Difference }[] = [];
  readonly links: LinkRec[] = [];
  private readonly io = new Limiter(32);
  private readonly reads = new Limiter(4);

  constructor(
    private readonly a: Buffer,
    private readonly b: Buffer,
    private readonly o: Required<Omit<CompareOptions, 'ignore'>> & Pick<CompareOptions, 'ignore'>,
  ) {}

  get full(): boolean {
    return this.diffs.length >= MAX_DIFFS;
  }

  add(rel: Buffer, what: string, a?: string, b?: string): void {
    if (this.full) return;
    const d: Difference = { path: rel.length ? displayPath(rel) : '.', what };
    if (a !== undefined) d.a = a;
    if (b !== undefined) d.b = b;
    this.diffs.push({ rel, d });
  }

  private join(root: Buffer, rel: Buffer): string | Buffer {
    return fsPath(joinRaw(root, rel));
  }

  private lstat(p: string | Buffer): Promise<BigIntStats> {
    return this.io.run(() => fsp.lstat(p, { bigint: true }));
  }

  private async list(rel: Buffer, root: Buffer, side: string): Promise<Buffer[]> {
    try {
      const names = await this.io.run(() => fsp.readdir(this.join(root, rel), { encoding: 'buffer' }));
      return names.map(asBuffer).sort(Buffer.compare);
    } catch (e) {
      this.add(rel, 'error', side === 'a' ? `readdir: ${errText(e)}` : undefined, side === 'b' ? `readdir: ${errText(e)}` : undefined);
      return [];
    }
  }

  async walk(rel: Buffer): Promise<void> {
    if (this.full) return;
    const [na, nb] = await Promise.all([this.list(rel, this.a, 'a'), this.list(rel, this.b, 'b')]);
    const jobs: Promise<void>[] = [];
    let i = 0;
    let j = 0;
    while (i < na.length || j < nb.length) {
      const c = i >= na.length ? 1 : j >= nb.length ? -1 : Buffer.compare(na[i]!, nb[j]!);
      const name = c <= 0 ? na[i++]! : nb[j++]!;
      if (c === 0) j++;
      const child = joinRaw(rel, name);
      if (this.o.ignore?.(child)) continue;
      jobs.push(this.entry(child, c <= 0, c >= 0));
    }
    await Promise.all(jobs);
  }

  private async entry(rel: Buffer, inA: boolean, inB: boolean): Promise<void> {
    if (this.full) return;
    // A listed name that cannot be lstat'ed is an error, never silently skipped
    // (e.g. a runtime that mangles non-UTF-8 names read back from readdir).
    const stat = (root: Buffer) => this.lstat(this.join(root, rel)).catch((e) => new Error(`lstat: ${errText(e)}`));
    const [sa, sb] = await Promise.all([inA ? stat(this.a) : null, inB ? stat(this.b) : null]);
    if (sa instanceof Error || sb instanceof Error) {
      return this.add(rel, 'error', sa instanceof Error ? sa.message : undefined, sb instanceof Error ? sb.message : undefined);
    }
    if (!sb) return this.add(rel, 'missing', sa ? kindOf(sa) : undefined);
    if (!sa) return this.add(rel, 'extra', undefined, kindOf(sb));
    await this.compare(rel, sa, sb);
  }

  async compare(rel: Buffer, sa: BigIntStats, sb: BigIntStats, isRoot = false): Promise<void> {
    const ka = kindOf(sa);
    const kb = kindOf(sb);
    if (ka !== kb) return this.add(rel, 'type', ka, kb);
    const dir = ka === 'dir';
    const meta = !isRoot || this.o.dirTimes;
    if (meta && ka !== 'symlink' && (sa.mode & 0o7777n) !== (sb.mode & 0o7777n)) {
      this.add(rel, 'mode', fmtMode(sa.mode), fmtMode(sb.mode));
    }
    if (meta && this.o.owners) {
      if (sa.uid !== sb.uid) this.add(rel, 'uid', String(sa.uid), String(sb.uid));
      if (sa.gid !== sb.gid) this.add(rel, 'gid', String(sa.gid), String(sb.gid));
    }
    if ((dir ? this.o.dirTimes : true) && sa.mtimeNs !== sb.mtimeNs) {
      this.add(rel, 'mtime', fmtNs(sa.mtimeNs), fmtNs(sb.mtimeNs));
    }
    if (ka === 'char' || ka === 'block') {
      if (sa.rdev !== sb.rdev) this.add(rel, 'rdev', String(sa.rdev), String(sb.rdev));
    }
    if (this.o.hardlinks && !dir && (sa.nlink > 1n || sb.nlink > 1n)) {
      this.links.push({ rel, ka: `${sa.dev}:${sa.ino}`, kb: `${sb.dev}:${sb.ino}` });
    }
    if (ka === 'symlink') await this.compareTargets(rel);
    else if (ka === 'file') await this.compareContent(rel, sa, sb);
    else if (dir) await this.walk(rel);
  }

  private async compareTargets(rel: Buffer): Promise<void> {
    const read = (root: Buffer) => this.io.run(async () => asBuffer(await fsp.readlink(this.join(root, rel), { encoding: 'buffer' })));
    try {
      const [ta, tb] = await Promise.all([read(this.a), read(this.b)]);
      if (!ta.equals(tb)) this.add(rel, 'target', displayPath(ta), displayPath(tb));
    } catch (e) {
      this.add(rel, 'error', `readlink: ${errText(e)}`);
    }
  }

  private async compareContent(rel: Buffer, sa: BigIntStats, sb: BigIntStats): Promise<void> {
    if (sa.size !== sb.size) return this.add(rel, 'size', String(sa.size), String(sb.size));
    if (sa.size === 0n || this.full) return;
    try {
      const at = await this.reads.run(() => firstDifference(this.join(this.a, rel), this.join(this.b, rel)));
      if (at >= 0) this.add(rel, 'content', `differs at byte ${at}`);
    } catch (e) {
      this.add(rel, 'error', `read: ${errText(e)}`);
    }
  }

  /** Two paths are linked in a iff they are linked in b. */
  checkLinks(): void {
    const byA = new Map<string, LinkRec[]>();
    const byB = new Map<string, LinkRec[]>();
    const put = (m: Map<string, LinkRec[]>, k: string, r: LinkRec) => {
      const g = m.get(k);
      if (g) g.push(r);
      else m.set(k, [r]);
    };
    for (const r of this.links) {
      put(byA, r.ka, r);
      put(byB, r.kb, r);
    }
    const peers = (g: LinkRec[], r: LinkRec): string => {
      const others = g.filter((x) => x !== r).map((x) => displayPath(x.rel)).sort();
      if (!others.length) return 'not linked';
      return 'linked with ' + others.slice(0, 5).join(', ') + (others.length > 5 ? ` (+${others.length - 5})` : '');
    };
    for (const r of this.links) {
      const ga = byA.get(r.ka)!;
      const gb = byB.get(r.kb)!;
      if (ga.length !== gb.length || ga.some((x) => x.kb !== r.kb)) this.add(r.rel, 'hardlink', peers(ga, r), peers(gb, r));
    }
  }
}

/** Compare trees `a` and `b`; returns [] when identical (at most ~1000 differences). */
export async function compareTrees(a: string, b: string, opts: CompareOptions = {}): Promise<Difference[]> {
  const o = { dirTimes: opts.dirTimes ?? true, owners: opts.owners ?? true, hardlinks: opts.hardlinks ?? false, ignore: opts.ignore };
  const t = new TreeComparer(Buffer.from(a), Buffer.from(b), o);
  const root = Buffer.alloc(0);
  const sa = await fsp.lstat(a, { bigint: true });
  if (!sa.isDirectory()) throw new Error(`compareTrees: ${a} is not a directory`);
  const sb = await fsp.lstat(b, { bigint: true }).catch(() => null);
  if (!sb) return [{ path: '.', what: 'missing', a: 'dir' }];
  await t.compare(root, sa, sb, true);
  if (o.hardlinks) t.checkLinks();
  return t.diffs
    .sort((x, y) => Buffer.compare(x.rel, y.rel) || (x.d.what < y.d.what ? -1 : x.d.what > y.d.what ? 1 : 0))
    .slice(0, MAX_DIFFS)
    .map((x) => x.d);
}

/** Multi-line summary of differences for a test failure message. */
export function formatDifferences(diffs: Difference[], max = 20): string {
  if (!diffs.length) return 'no differences';
  const lines = diffs.slice(0, max).map((d) => {
    const ab = d.a !== undefined || d.b !== undefined ? ` (a: ${d.a ?? '-'}, b: ${d.b ?? '-'})` : '';
    return `  ${d.path}: ${d.what}${ab}`;
  });
  if (diffs.length > max) lines.push(`  ... and ${diffs.length - max} more`);
  return `${diffs.length} difference${diffs.length === 1 ? '' : 's'}:\n${lines.join('\n')}`;
}
