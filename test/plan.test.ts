// `multisync plan` and `multisync --files-from`: real trees, real rsync, real CLI.
// The union of a plan's manifests must be exactly the tree (no duplicates), balanced within 5%,
// and every manifest must work with plain rsync and with multisync.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeOddTree, makeSmallFilesTree } from '../src/engine/odd-tree.ts';
import { sourceRoot } from '../src/engine/config.ts';
import { crawlManifest, manifestPath } from '../src/engine/manifest.ts';
import { imbalance } from '../src/engine/plan-pack.ts';
import { patternBytes } from '../src/engine/small-files-tree.ts';
import type { CompareOptions } from '../src/engine/tree-compare.ts';
import { runCli, tempDir } from './e2e/helpers.ts';
import { expectSameTrees, rsyncRef } from './trees.ts';

const tmp = tempDir('multisync-plan-');
const mixed = join(tmp.path, 'mixed'); // a few thousand files of mixed sizes
const odd = join(tmp.path, 'odd'); // hostile names, specials, hard links
const RSYNC_OPTS = '-aSH --numeric-ids';

const key = (b: Buffer) => b.toString('latin1');
const SLASH = Buffer.from('/');

/** What a sync copies, found independently of the crawler: non-directories and empty directories. */
function treeEntries(root: string, prefix = ''): Buffer[] {
  const out: Buffer[] = [];
  const walk = (rel: Buffer) => {
    const abs = rel.length ? Buffer.concat([Buffer.from(`${root}/`), rel]) : Buffer.from(root);
    const names = (readdirSync(abs, { encoding: 'buffer' }) as Buffer[]).sort(Buffer.compare);
    if (!names.length && rel.length) out.push(rel);
    for (const n of names) {
      const child = rel.length ? Buffer.concat([rel, SLASH, n]) : n;
      if (lstatSync(Buffer.concat([Buffer.from(`${root}/`), child])).isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk(Buffer.alloc(0));
  return prefix ? out.map((p) => Buffer.concat([Buffer.from(`${prefix}/`), p])) : out;
}

/** A manifest's paths, with the './' that protects '#'/';' names removed. */
function readManifest(file: string, sep: number): Buffer[] {
  const data = readFileSync(file);
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= data.length; i++) {
    if (i < data.length && data[i] !== sep) continue;
    let p = data.subarray(start, i);
    start = i + 1;
    if (!p.length) continue;
    if (p[0] === 0x2e && p[1] === 0x2f) p = p.subarray(2);
    out.push(Buffer.from(p));
  }
  return out;
}

function manifests(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((n) => join(dir, n));
}

/** Every manifest path exactly once, and the union is the tree. */
function expectExactUnion(lists: Buffer[][], want: Buffer[]) {
  const seen = new Map<string, number>();
  for (const list of lists) for (const p of list) seen.set(key(p), (seen.get(key(p)) ?? 0) + 1);
  const dups = [...seen].filter(([, n]) => n > 1).map(([p]) => p);
  expect(dups).toEqual([]);
  expect([...seen.keys()].sort()).toEqual(want.map(key).sort());
}

/** Bytes of each manifest (a hard-linked file's data once), from lstat. */
function manifestBytes(base: string, lists: Buffer[][]): number[] {
  const inodes = new Map<string, number>();
  return lists.map((list, m) => {
    let bytes = 0;
    for (const p of list) {
      const st = lstatSync(Buffer.concat([Buffer.from(base), p]));
      if (!st.isFile()) continue;
      if (st.nlink > 1) {
        const ino = `${st.dev}:${st.ino}`;
        // a hard-link group never spans two manifests
        if (inodes.has(ino)) {
          expect(inodes.get(ino)).toBe(m);
          continue;
        }
        inodes.set(ino, m);
      }
      bytes += st.size;
    }
    return bytes;
  });
}

/** Ignores everything in the tree that the given paths (and their parent directories) do not cover. */
function onlyCovered(paths: Buffer[]): CompareOptions['ignore'] {
  const covered = new Set<string>();
  for (const p of paths) {
    covered.add(key(p));
    for (let i = p.indexOf(0x2f); i >= 0; i = p.indexOf(0x2f, i + 1)) covered.add(key(p.subarray(0, i)));
  }
  return (rel) => !covered.has(key(rel));
}

/** Rows of the printed table: manifest name → [entries, share]. */
function tableRows(stdout: string): Map<string, { entries: number; share: number }> {
  const rows = new Map<string, { entries: number; share: number }>();
  for (const line of stdout.split('\n')) {
    const m = /^(manifest-\S+|total)\s+([\d,]+)\s+.+?\s+([\d.]+)%$/.exec(line);
    if (m) rows.set(m[1], { entries: Number(m[2].replace(/,/g, '')), share: Number(m[3]) });
  }
  return rows;
}

beforeAll(async () => {
  // A few thousand files from 0 to 40 KB, a few big ones, hard links, links and empty dirs.
  await makeSmallFilesTree(mixed, { files: 3000, dirs: 40, minSize: 0, maxSize: 40_000, seed: 11 });
  mkdirSync(join(mixed, 'big'));
  for (const [i, size] of [3_000_000, 2_000_000, 1_500_000, 1_000_000, 700_000].entries()) {
    writeFileSync(join(mixed, 'big', `big-${i}.bin`), patternBytes(size, 100 + i));
  }
  mkdirSync(join(mixed, 'hard'));
  writeFileSync(join(mixed, 'hard', 'one'), patternBytes(900_000, 7));
  linkSync(join(mixed, 'hard', 'one'), join(mixed, 'hard', 'two'));
  linkSync(join(mixed, 'hard', 'one'), join(mixed, 'd0001-hard-three'));
  symlinkSync('hard/one', join(mixed, 'link-to-one'));
  mkdirSync(join(mixed, 'empty', 'nested'), { recursive: true });
  writeFileSync(join(mixed, '#hash name'), 'comment character\n');
  writeFileSync(join(mixed, ';semi'), 'comment character\n');
  for (const d of ['big', 'hard', 'empty', 'empty/nested', '.']) utimesSync(join(mixed, d), 1_500_000_000, 1_500_000_000);
  await makeOddTree(odd, { sparseSize: 4 * 1024 * 1024 });
});
afterAll(() => tmp.cleanup());

describe('multisync plan: balanced manifests', () => {
  const out = join(tmp.path, 'plan-size');
  let stdout = '';

  test('options after SRC; N manifests, union = tree, no duplicates, bytes within 5%', async () => {
    const r = await runCli(['plan', `${mixed}/`, '--buckets', '4', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    stdout = r.stdout;
    const files = manifests(out);
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['manifest-001.txt', 'manifest-002.txt', 'manifest-003.txt', 'manifest-004.txt']);
    const lists = files.map((f) => readManifest(f, 0x0a));
    expectExactUnion(lists, treeEntries(mixed));
    const bytes = manifestBytes(`${mixed}/`, lists);
    const off = imbalance(bytes);
    console.log(`plan by size, 4 manifests: bytes ${bytes.join(' / ')}, imbalance ${(100 * off).toFixed(3)}%`);
    expect(off).toBeLessThan(0.05);
    // the hard-link group is whole in one manifest
    const holder = lists.findIndex((l) => l.some((p) => key(p) === 'hard/one'));
    for (const name of ['hard/two', 'd0001-hard-three']) expect(lists[holder].some((p) => key(p) === name)).toBe(true);
  });

  test('the table: manifest, entries, bytes, share', () => {
    expect(stdout).toMatch(/^manifest\s+entries\s+bytes\s+share$/m);
    const rows = tableRows(stdout);
    expect([...rows.keys()]).toEqual(['manifest-001.txt', 'manifest-002.txt', 'manifest-003.txt', 'manifest-004.txt', 'total']);
    const lists = manifests(out).map((f) => readManifest(f, 0x0a));
    for (const [i, l] of lists.entries()) expect(rows.get(`manifest-00${i + 1}.txt`)!.entries).toBe(l.length);
    expect(rows.get('total')!.entries).toBe(lists.reduce((s, l) => s + l.length, 0));
    for (let i = 1; i <= 4; i++) expect(Math.abs(rows.get(`manifest-00${i}.txt`)!.share - 25)).toBeLessThan(25 * 0.05);
  });

  test('--by count, options before SRC: entries within 5%', async () => {
    const o = join(tmp.path, 'plan-count');
    const r = await runCli(['plan', '--by', 'count', '-n', '7', '-o', o, `${mixed}/`]);
    expect(r.code).toBe(0);
    const lists = manifests(o).map((f) => readManifest(f, 0x0a));
    expect(lists.length).toBe(7);
    expectExactUnion(lists, treeEntries(mixed));
    const counts = lists.map((l) => l.length);
    console.log(`plan by count, 7 manifests: entries ${counts.join(' / ')}, imbalance ${(100 * imbalance(counts)).toFixed(3)}%`);
    expect(imbalance(counts)).toBeLessThan(0.05);
  });

  test('"#"/";" names are protected for rsync; SRC without a slash gives paths starting with its name', async () => {
    const all = manifests(out)
      .map((f) => readFileSync(f, 'latin1'))
      .join('');
    expect(all).toContain('./#hash name\n');
    expect(all).toContain('./;semi\n');
    const o = join(tmp.path, 'plan-noslash');
    const r = await runCli(['plan', mixed, '-n', '2', '-o', o]);
    expect(r.code).toBe(0);
    const lists = manifests(o).map((f) => readManifest(f, 0x0a));
    expectExactUnion(lists, treeEntries(mixed, 'mixed'));
    expect(r.stdout).toContain(`--files-from=${join(o, 'manifest-001.txt')} ${tmp.path}/ DST`);
  });

  test('excludes are the sync\'s: --exclude leaves the same entries out', async () => {
    const o = join(tmp.path, 'plan-exclude');
    const r = await runCli(['plan', `${mixed}/`, '-n', '3', '-o', o, '--exclude', 'big/', '--exclude', '*5.dat']);
    expect(r.code).toBe(0);
    const lists = manifests(o).map((f) => readManifest(f, 0x0a));
    const want = treeEntries(mixed).filter((p) => !key(p).startsWith('big/') && !key(p).endsWith('5.dat'));
    expectExactUnion(lists, want);
  });

  test('more manifests than entries: DIR still holds exactly N (some empty)', async () => {
    const small = join(tmp.path, 'tiny');
    mkdirSync(small);
    writeFileSync(join(small, 'a'), 'a');
    writeFileSync(join(small, 'b'), 'bb');
    const o = join(tmp.path, 'plan-tiny');
    const r = await runCli(['plan', `${small}/`, '-n', '3', '-o', o]);
    expect(r.code).toBe(0);
    const lists = manifests(o).map((f) => readManifest(f, 0x0a));
    expect(lists.map((l) => l.length).sort()).toEqual([0, 1, 1]);
  });
});

describe('every manifest works with plain rsync and with multisync', () => {
  const out = join(tmp.path, 'plan-sync');
  let lists: Buffer[][] = [];

  beforeAll(async () => {
    // the `mixed` form (no slash): paths start with mixed/, the base is its parent
    const r = await runCli(['plan', mixed, '--buckets', '3', '--out', out]);
    expect(r.code).toBe(0);
    lists = manifests(out).map((f) => readManifest(f, 0x0a));
  });

  test('one manifest alone, plain rsync and multisync: exactly its part', async () => {
    const m = manifests(out)[1];
    const viaRsync = join(tmp.path, 'one-rsync');
    const viaMultisync = join(tmp.path, 'one-multisync');
    rsyncRef(['-aH', '--numeric-ids', `--files-from=${m}`, `${tmp.path}/`, viaRsync]);
    const r = await runCli(['--headless', '-p', '3', '-f', '200', '-r', RSYNC_OPTS, '--files-from', m, tmp.path, viaMultisync]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ignore = onlyCovered(lists[1].map((p) => p.subarray('mixed/'.length)));
    await expectSameTrees(mixed, join(viaRsync, 'mixed'), { hardlinks: true, ignore });
    await expectSameTrees(mixed, join(viaMultisync, 'mixed'), { hardlinks: true, ignore });
  });

  test('all manifests into one DST with plain rsync: the whole tree', async () => {
    const dst = join(tmp.path, 'union-rsync');
    for (const m of manifests(out)) rsyncRef(['-aH', '--numeric-ids', `--files-from=${m}`, `${tmp.path}/`, dst]);
    await expectSameTrees(mixed, join(dst, 'mixed'), { hardlinks: true });
  });

  test('all manifests into one DST with multisync --files-from: the whole tree, directory times included', async () => {
    const dst = join(tmp.path, 'union-multisync');
    for (const m of manifests(out)) {
      const r = await runCli(['--headless', '-p', '4', '-f', '100', '-r', RSYNC_OPTS, '--files-from', m, `${tmp.path}/`, dst]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    await expectSameTrees(mixed, join(dst, 'mixed'), { hardlinks: true });
  });
});

describe('odd names with -0', () => {
  const out = join(tmp.path, 'plan-odd');
  let lists: Buffer[][] = [];

  test('NUL-separated manifests hold every name; union = tree', async () => {
    const r = await runCli(['plan', odd, '-0', '--buckets', '3', '--out', out]);
    // the sparse file alone is more than a third of the bytes: said, not hidden
    expect(r.stderr).toBe('multisync: warning: one item (4.00 MiB) is larger than an even share: this tree cannot be balanced within 5%\n');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['manifest-001.from0', 'manifest-002.from0', 'manifest-003.from0']);
    lists = manifests(out).map((f) => readManifest(f, 0));
    expectExactUnion(lists, treeEntries(odd, 'odd'));
    // the three names of the hard-linked file share a manifest
    const holder = lists.findIndex((l) => l.some((p) => key(p) === 'odd/hard/one'));
    for (const n of ['odd/hard/two', 'odd/hard/-three']) expect(lists[holder].some((p) => key(p) === n)).toBe(true);
  });

  test('plain rsync --from0, all manifests into one DST: the whole tree', async () => {
    const dst = join(tmp.path, 'odd-rsync');
    for (const m of manifests(out)) rsyncRef(['-aSH', '--numeric-ids', '--from0', `--files-from=${m}`, `${tmp.path}/`, dst]);
    await expectSameTrees(odd, join(dst, 'odd'), { hardlinks: true });
  });

  test('multisync --files-from --from0, each manifest alone and all together', async () => {
    const dst = join(tmp.path, 'odd-multisync');
    for (const [i, m] of manifests(out).entries()) {
      const alone = join(tmp.path, `odd-multisync-${i}`);
      for (const d of [alone, dst]) {
        const r = await runCli(['--headless', '-p', '3', '-f', '5', '-r', RSYNC_OPTS, '--files-from', m, '-0', tmp.path, d]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      await expectSameTrees(odd, join(alone, 'odd'), { hardlinks: true, ignore: onlyCovered(lists[i].map((p) => p.subarray('odd/'.length))) });
    }
    await expectSameTrees(odd, join(dst, 'odd'), { hardlinks: true });
  });

  test('without -0 a name with a newline is refused (exit 2), nothing written', async () => {
    const o = join(tmp.path, 'plan-odd-newline');
    const r = await runCli(['plan', `${odd}/`, '-n', '2', '-o', o]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^multisync: cannot write .* in a newline-separated manifest: the name contains a (newline|carriage return); use -0/);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(existsSync(o)).toBe(false);
  });

  test('--robocopy: backslashes and CRLF; a name with a backslash is refused', async () => {
    const o = join(tmp.path, 'plan-robocopy');
    const r = await runCli(['plan', `${mixed}/`, '--robocopy', '-n', '2', '-o', o]);
    expect(r.code).toBe(0);
    const text = manifests(o)
      .map((f) => readFileSync(f, 'latin1'))
      .join('');
    expect(text).toContain('big\\big-0.bin\r\n');
    expect(text).toContain('#hash name\r\n');
    expect(text).not.toContain('/');
    expect(text.split('\r\n').length - 1).toBe(treeEntries(mixed).length);
    const bad = join(tmp.path, 'plan-robocopy-bad');
    const tree = join(tmp.path, 'backslash');
    mkdirSync(join(tree, 'd'), { recursive: true });
    writeFileSync(join(tree, 'd', 'back\\slash'), '');
    const r2 = await runCli(['plan', `${tree}/`, '--robocopy', '-n', '2', '-o', bad]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('contains a backslash');
    expect(existsSync(bad)).toBe(false);
  });
});

describe('plan usage errors (exit 2, nothing written)', () => {
  test.each<[string, string[], RegExp]>([
    ['missing --buckets', ['-o', 'OUT'], /--buckets N is required/],
    ['missing --out', ['-n', '2'], /--out DIR is required/],
    ['bad count', ['-n', '0', '-o', 'OUT'], /invalid manifest count/],
    ['bad --by', ['-n', '2', '-o', 'OUT', '--by', 'weight'], /invalid --by 'weight'/],
    ['-0 with --robocopy', ['-n', '2', '-o', 'OUT', '-0', '--robocopy'], /cannot be combined/],
    ['two SRCs', ['-n', '2', '-o', 'OUT', 'SRC'], /plan takes one SRC/],
    ['unknown option', ['-n', '2', '-o', 'OUT', '--bogus'], /unknown option --bogus/],
  ])('%s', async (_label, args, want) => {
    const o = join(tmp.path, `usage-${_label.replace(/\W+/g, '-')}`);
    const r = await runCli(['plan', `${mixed}/`, ...args.map((a) => (a === 'OUT' ? o : a === 'SRC' ? odd : a))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(want);
    expect(existsSync(o)).toBe(false);
  });

  test('a non-empty DIR is refused', async () => {
    const o = join(tmp.path, 'plan-nonempty');
    mkdirSync(o);
    writeFileSync(join(o, 'manifest-001.txt'), 'old\n');
    const r = await runCli(['plan', `${mixed}/`, '-n', '2', '-o', o]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty');
    expect(readdirSync(o)).toEqual(['manifest-001.txt']);
  });

  test('DIR inside SRC is refused; a missing SRC too', async () => {
    const r = await runCli(['plan', `${mixed}/`, '-n', '2', '-o', join(mixed, 'plans')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('inside SRC');
    expect(existsSync(join(mixed, 'plans'))).toBe(false);
    const r2 = await runCli(['plan', join(tmp.path, 'nope/'), '-n', '2', '-o', join(tmp.path, 'plan-nope')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('source not found');
  });

  test('plan --help', async () => {
    const r = await runCli(['plan', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: multisync plan SRC --buckets N --out DIR');
  });
});

describe('multisync --files-from behaves like rsync --files-from', () => {
  const src = join(tmp.path, 'ff-src');
  const list = join(tmp.path, 'ff-list.txt');

  beforeAll(() => {
    for (const d of ['t/dir-only/inner', 't/contents/sub', 't/empty', 't/deep/er']) mkdirSync(join(src, d), { recursive: true });
    const files: Record<string, string> = {
      't/plain': 'p',
      't/#hash': 'h',
      't/dir-only/not-copied': 'x',
      't/dir-only/inner/not-copied': 'x',
      't/contents/a': 'a',
      't/contents/sub/not-copied': 'x',
      't/deep/er/file': 'f',
      't/unlisted': 'u',
    };
    for (const [p, c] of Object.entries(files)) writeFileSync(join(src, p), c);
    for (const d of ['t/dir-only/inner', 't/dir-only', 't/contents/sub', 't/contents', 't/empty', 't/deep/er', 't/deep', 't']) {
      utimesSync(join(src, d), 1_400_000_000, 1_400_000_000);
    }
    const lines = [
      '# a comment',
      '; another',
      '',
      './t/plain',
      't/#hash', // '#' inside a path is a name, not a comment
      't/dir-only', // the directory, not its contents
      't/contents/', // its immediate children (sub as an empty directory)
      't/empty',
      't//deep/er/file',
    ];
    writeFileSync(list, `${lines.join('\n')}\r\n`);
  });

  test('comments, ./, // and trailing slashes: same tree as rsync -a --files-from', async () => {
    const viaRsync = join(tmp.path, 'ff-rsync');
    const viaMultisync = join(tmp.path, 'ff-multisync');
    rsyncRef(['-a', '--numeric-ids', `--files-from=${list}`, src, viaRsync]);
    const r = await runCli(['--headless', '-f', '2', '--files-from', list, src, viaMultisync]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await expectSameTrees(join(viaRsync, 't'), join(viaMultisync, 't'), { hardlinks: true });
    expect(existsSync(join(viaMultisync, 't', 'dir-only', 'not-copied'))).toBe(false);
    expect(existsSync(join(viaMultisync, 't', 'contents', 'sub'))).toBe(true);
    expect(existsSync(join(viaMultisync, 't', 'contents', 'sub', 'not-copied'))).toBe(false);
    expect(existsSync(join(viaMultisync, 't', 'unlisted'))).toBe(false);
  });

  test('a listed name that does not exist is an error (exit 1), the rest is copied', async () => {
    const bad = join(tmp.path, 'ff-missing.txt');
    writeFileSync(bad, 't/plain\nt/no-such-file\nt/./plain\n');
    const dst = join(tmp.path, 'ff-missing');
    const r = await runCli(['--json', '--files-from', bad, src, dst]);
    expect(r.code).toBe(1);
    const ev = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const errors = ev.filter((e) => e.type === 'crawl-error');
    expect(errors).toMatchObject([
      { path: 't/no-such-file', error: 'ENOENT', vanished: false },
      { path: 't/./plain', error: 'EINVAL', vanished: false }, // rsync -R's '/./' marker: refused
    ]);
    expect(readFileSync(join(dst, 't', 'plain'), 'utf8')).toBe('p');
  });

  test.each<[string, (l: string) => string[], RegExp]>([
    ['two SRCs', (l) => ['--files-from', l, 'a/', 'b/', 'dst'], /exactly one SRC/],
    ['unreadable list', () => ['--files-from', join(tmp.path, 'no-such-list'), 'a/', 'dst'], /cannot read --files-from .*ENOENT/],
    ['--from0 alone', () => ['--from0', 'a/', 'dst'], /--from0 only applies/],
    ['with --delete', (l) => ['--delete', '--files-from', l, 'a/', 'dst'], /cannot be combined with --files-from/],
  ])('usage: %s (exit 2)', async (_label, args, want) => {
    const r = await runCli(args(list));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(want);
  });
});

describe('manifest reading (crawlManifest)', () => {
  test.each<[string, { path: string; contents: boolean } | null | 'error']>([
    ['', null],
    ['# comment', null],
    ['; comment', null],
    ['./#name', { path: '#name', contents: false }],
    ['a/b', { path: 'a/b', contents: false }],
    ['./a//b', { path: 'a/b', contents: false }],
    ['././a', { path: 'a', contents: false }],
    ['a/b/', { path: 'a/b', contents: true }],
    ['a/b/.', { path: 'a/b', contents: true }],
    ['.', { path: '', contents: true }],
    ['./', { path: '', contents: true }],
    ['.hidden', { path: '.hidden', contents: false }],
    ['a/..b', { path: 'a/..b', contents: false }],
    ['a/../b', 'error'],
    ['a/./b', 'error'],
    [' lead/trail ', { path: ' lead/trail ', contents: false }],
  ])('%j', (rec, want) => {
    if (want === 'error') {
      expect(() => manifestPath(Buffer.from(rec))).toThrow();
      return;
    }
    const got = manifestPath(Buffer.from(rec));
    expect(got && { path: got.path.toString(), contents: got.contents }).toEqual(want);
  });

  test('parents are reported once each, listed directories are entries, missing names are errors', async () => {
    const base = join(tmp.path, 'cm');
    mkdirSync(join(base, 'a', 'b', 'c'), { recursive: true });
    mkdirSync(join(base, 'e'));
    for (const f of ['a/1', 'a/b/2', 'a/b/c/3', 'top']) writeFileSync(join(base, f), f);
    symlinkSync('a', join(base, 'link'));
    const list = join(tmp.path, 'cm.list');
    writeFileSync(list, ['a/b/c/3', 'a/1', 'a/b/2', 'e', 'gone', 'link/1', 'top', 'a/b', 'e'].join('\0'));
    const dirs: string[] = [];
    const errors: string[] = [];
    const entries: string[] = [];
    for await (const e of crawlManifest(sourceRoot(`${base}/`), list, true, {
      onDir: (p) => dirs.push(p.toString()),
      onError: (p, err, vanished) => errors.push(`${p}: ${err.code} ${vanished}`),
    })) {
      entries.push(`${e.kind} ${e.path} ${e.size}`);
    }
    expect(entries).toEqual(['file a/b/c/3 7', 'file a/1 3', 'file a/b/2 5', 'dir e 0', 'file top 3']);
    expect(dirs).toEqual(['a', 'a/b', 'a/b/c', 'e']);
    expect(errors).toEqual(['gone: ENOENT false', 'link: ENOTDIR false']);
  });

  test('newline lists end lines at \\n and \\r; NUL lists keep both in names', async () => {
    const base = join(tmp.path, 'cm-nl');
    mkdirSync(base);
    writeFileSync(join(base, 'x'), 'x');
    writeFileSync(join(base, 'y\nz'), 'yz');
    const nl = join(tmp.path, 'cm-nl.list');
    writeFileSync(nl, 'x\r\n\r\n');
    const z = join(tmp.path, 'cm-z.list');
    writeFileSync(z, 'y\nz\0x');
    const names = async (file: string, from0: boolean) => {
      const out: string[] = [];
      for await (const e of crawlManifest(sourceRoot(`${base}/`), file, from0)) out.push(e.path.toString());
      return out;
    };
    expect(await names(nl, false)).toEqual(['x']);
    expect(await names(z, true)).toEqual(['y\nz', 'x']);
  });
});
