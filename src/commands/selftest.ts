// `multisync selftest [DIR]`: validate a host before a migration. Builds a temp tree of hostile
// names, symlinks, hard links, empty dirs, a fifo and a sparse file, copies it with the real
// engine (1, 2 and 4 processes, `src/` and `src` forms, small buckets, then -aH) and compares
// every copy with the source for real: names as bytes, types, sizes, contents, modes, owners,
// mtimes, link targets, hard-link groups. One PASS/FAIL line per check; exit 1 on any failure.
// A last check corrupts a copy on purpose and requires the comparison to notice.
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { UsageError } from '../engine/errors.ts';
import { makeOddTree } from '../engine/odd-tree.ts';
import { checkRsync } from '../engine/preflight.ts';
import { compareTrees, formatDifferences, type CompareOptions } from '../engine/tree-compare.ts';
import pkg from '../../package.json' with { type: 'json' };
import { parseArgs, type ParsedArgs } from './parse-args.ts';
import { DEFAULT_RSYNC_OPTS, runConfig } from './run-options.ts';

export interface SelftestOptions {
  /** Parent of the temp directory (default: the system temp dir). Put it on the target filesystem to test that. */
  dir?: string;
  /** Keep the temp directory afterwards. */
  keep?: boolean;
  /** Process counts to copy with (default 1, 2, 4). */
  processes?: number[];
  /** Entries per bucket: small, so every copy is cut into many buckets (default 8). */
  maxFiles?: number;
  rsyncPath?: string;
  out?: (line: string) => void;
  signal?: AbortSignal;
}

export interface SelftestResult {
  passed: number;
  failed: number;
  checks: { name: string; ok: boolean; detail: string }[];
  dir: string;
}

class Failure extends Error {}

const indent = (text: string) => text.split('\n').map((l) => `        ${l}`).join('\n');

export async function runSelftest(o: SelftestOptions = {}): Promise<SelftestResult> {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const rsyncPath = o.rsyncPath ?? (process.env.MULTISYNC_RSYNC || 'rsync');
  const counts = o.processes ?? [1, 2, 4];
  const maxFiles = o.maxFiles ?? 8;
  const result: SelftestResult = { passed: 0, failed: 0, checks: [], dir: '' };

  const check = async (name: string, fn: () => Promise<string> | string): Promise<boolean> => {
    let ok = true;
    let detail: string;
    const t0 = Date.now();
    try {
      detail = await fn();
    } catch (err) {
      ok = false;
      detail = err instanceof Error ? err.message : String(err);
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    result.checks.push({ name, ok, detail });
    if (ok) result.passed++;
    else result.failed++;
    const [first, ...rest] = detail.split('\n');
    out(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${first} (${secs}s)`);
    if (rest.length) out(indent(rest.join('\n')));
    return ok;
  };
  const finish = () => {
    out(`${result.passed} passed, ${result.failed} failed`);
    return result;
  };

  if (!(await check('rsync', () => `${rsyncPath} ${checkRsync(rsyncPath)} runs`))) return finish();

  const parent = resolve(o.dir ?? tmpdir());
  let root: string;
  try {
    root = mkdtempSync(join(parent, 'multisync-selftest-'));
  } catch (err) {
    await check('temp directory', () => {
      throw new Failure(`cannot create a directory in ${parent}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    });
    return finish();
  }
  result.dir = root;
  out(`selftest directory: ${root}${o.keep ? ' (kept)' : ''}`);
  const src = join(root, 'src');
  try {
    const built = await check('test tree', async () => {
      await makeOddTree(src, { sparseSize: 8 * 1024 * 1024, deep: 40 });
      // Hard links across directories (the odd tree's own links share one directory).
      mkdirSync(join(src, 'xlinks', 'a'), { recursive: true });
      mkdirSync(join(src, 'xlinks', 'b', 'deeper'), { recursive: true });
      writeFileSync(join(src, 'xlinks', 'a', 'data'), 'linked across directories\n');
      linkSync(join(src, 'xlinks', 'a', 'data'), join(src, 'xlinks', 'b', 'deeper', 'data link'));
      linkSync(join(src, 'xlinks', 'a', 'data'), join(src, 'xlinks', '-data'));
      const t = 1_600_000_000;
      for (const p of ['xlinks/a/data', 'xlinks/b/deeper', 'xlinks/b', 'xlinks/a', 'xlinks', '.']) utimesSync(join(src, p), t, t);
      // Runtimes whose node:fs cannot express non-UTF-8 names (Deno) get a tree without them.
      const raw = readdirSync(src, { encoding: 'buffer' }).some((n) => !Buffer.from(n.toString('utf8')).equals(n));
      return `odd names, ${raw ? 'non-UTF-8 names' : 'no non-UTF-8 names (this runtime cannot make them)'}, symlinks, hard links, empty dirs, fifo, sparse file, 40-deep path`;
    });
    if (!built) return finish();

    const faithful: string[] = []; // copies found identical, for the last check
    /** Copies `from` into `to` with the engine; then `copied` (inside `to`) must equal `src`. */
    const copy = async (label: string, from: string, to: string, copied: string, processes: number, extra: string[], cmp: CompareOptions = {}) => {
      await check(label, async () => {
        if (o.signal?.aborted) throw new Failure('interrupted');
        // The same path from argv to RunConfig as a real run takes.
        const argv = ['-p', String(processes), '-f', String(maxFiles), '-r', [DEFAULT_RSYNC_OPTS, ...extra].join(' '), '--retries', '0', from, to];
        // (its runs' state goes in its own directory, removed with it: none is left in the user's)
        const cfg = runConfig(parseArgs(argv), { ...process.env, XDG_STATE_HOME: join(root, 'state'), MULTISYNC_RSYNC: rsyncPath, MULTISYNC_BACKOFF_MS: '100' });
        const engine = new Engine(cfg);
        const crawlErrors: string[] = [];
        engine.on((e) => {
          if (e.type === 'crawl-error') crawlErrors.push(`${e.path}: ${e.error}`);
        });
        const sum = await engine.run({ createDestination: true, signal: o.signal });
        const problems: string[] = [];
        if (sum.exitCode !== 0) problems.push(`run ended ${sum.status} (exit ${sum.exitCode})${sum.haltReason ? `: ${sum.haltReason}` : ''}`);
        for (const f of sum.failures.slice(0, 5)) problems.push(`bucket ${f.bucket} failed: ${f.error} (log ${f.logFile})`);
        for (const c of crawlErrors.slice(0, 5)) problems.push(`crawl: ${c}`);
        if (sum.buckets < 2) problems.push(`only ${sum.buckets} bucket: the split was not exercised`);
        const diffs = await compareTrees(src, copied, cmp);
        if (diffs.length) problems.push(`copy differs from the source: ${formatDifferences(diffs, 15)}`);
        const what = `${sum.filesTotal} entries in ${sum.buckets} buckets with ${processes} process${processes === 1 ? '' : 'es'}`;
        if (problems.length) throw new Failure(`${what}\n${problems.join('\n')}`);
        faithful.push(copied);
        return `${what}, trees identical`;
      });
    };

    for (const p of counts) {
      const dst = join(root, `dst-${p}`);
      await copy(`copy src/ -p ${p}`, `${src}/`, dst, dst, p, []);
    }
    const noslash = join(root, 'dst-noslash');
    await copy('copy src (no slash) -p 2', src, noslash, join(noslash, 'src'), 2, []);
    const linked = join(root, 'dst-hardlinks');
    await copy('copy src/ -aH -p 4 (hard links)', `${src}/`, linked, linked, 4, ['-H'], { hardlinks: true });
    await check('hard links across directories share one inode in DST', () => {
      const paths = ['xlinks/a/data', 'xlinks/b/deeper/data link', 'xlinks/-data', 'hard/one', 'hard/two', 'hard/-three'];
      const ino = (p: string) => {
        const st = lstatSync(join(linked, p));
        return `${st.dev}:${st.ino}`;
      };
      const [a, b, c, d, e, f] = paths.map(ino);
      if (a !== b || a !== c) throw new Failure(`xlinks: inodes ${a}, ${b}, ${c} (expected one)`);
      if (d !== e || d !== f) throw new Failure(`hard: inodes ${d}, ${e}, ${f} (expected one)`);
      if (statSync(join(linked, 'xlinks/a/data')).nlink < 3) throw new Failure('xlinks/a/data has fewer than 3 links');
      return '2 link groups, 6 names, 2 inodes';
    });

    // The comparison itself must be able to fail (msrsync's selftest comparison never could).
    await check('comparison detects a corrupted copy', async () => {
      const copy = faithful[0];
      if (!copy) throw new Failure('no faithful copy to corrupt (see above)');
      const victim = join(copy, 'sizes', 'medium');
      const st = statSync(victim);
      const bytes = readFileSync(victim);
      bytes[bytes.length >> 1] ^= 0x20;
      writeFileSync(victim, bytes);
      utimesSync(victim, st.atime, st.mtime); // same size and mtime: only the content differs
      rmSync(join(copy, 'empty'), { recursive: true });
      const diffs = await compareTrees(src, copy);
      const whats = diffs.map((d) => `${d.path}:${d.what}`);
      if (!whats.includes('sizes/medium:content')) throw new Failure(`a flipped byte went unnoticed (${formatDifferences(diffs)})`);
      if (!whats.includes('empty:missing')) throw new Failure(`a removed directory went unnoticed (${formatDifferences(diffs)})`);
      return 'flipped byte and removed empty dir both reported';
    });
    return finish();
  } finally {
    if (!o.keep) rmSync(root, { recursive: true, force: true });
  }
}

export async function selftestCommand(args: ParsedArgs, io: { out?: (line: string) => void } = {}): Promise<number> {
  if (args.positionals.length > 1) throw new UsageError('usage: multisync selftest [DIR] (DIR: where to make the temp tree)');
  const dir = args.positionals[0];
  if (dir) {
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {}
    if (!ok) throw new UsageError(`selftest directory does not exist: ${dir}`);
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
    out(`multisync ${pkg.version} selftest`);
    const r = await runSelftest({ dir, keep: !!(args.flags.keep || args.flags.show), out, signal: abort.signal });
    if (abort.signal.aborted) return 130;
    return r.failed ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
