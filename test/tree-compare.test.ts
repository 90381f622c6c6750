import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { compareTrees, displayPath, formatDifferences, type CompareOptions } from '../src/engine/tree-compare.ts';
import { makeOddTree } from '../src/engine/odd-tree.ts';

let tmp: string;
let base: string;
let caseNo = 0;

function run(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
}

/** A fresh `cp -a` copy of the base odd tree. */
async function copyOfBase(): Promise<string> {
  const dir = path.join(tmp, `case-${++caseNo}`);
  run(['cp', '-a', base, dir]);
  return dir;
}

const P = (root: string, rel: string | Buffer): Buffer => Buffer.concat([Buffer.from(root + '/'), Buffer.from(rel)]);
const parentOf = (p: Buffer): Buffer => p.subarray(0, p.lastIndexOf(0x2f));
const BAD = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]); // "bad\xff\xfe"

/** Set atime and mtime to `ns` exactly enough for the tree's quarter-second stamps. */
async function setTime(p: Buffer, ns: bigint, link = false): Promise<void> {
  const t = Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
  await (link ? fsp.lutimes(p, t, t) : fsp.utimes(p, t, t));
}

/** Run `fn` on `p` while keeping p's own and its parent directory's mtimes. */
async function quietly(p: Buffer, fn: () => Promise<unknown>, keepOwn = true): Promise<void> {
  const parent = parentOf(p);
  const ps = await fsp.lstat(parent, { bigint: true });
  const own = keepOwn ? await fsp.lstat(p, { bigint: true }) : null;
  await fn();
  if (own) await setTime(p, own.mtimeNs, own.isSymbolicLink());
  await setTime(parent, ps.mtimeNs);
}

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'multisync-tree-compare-'));
  base = path.join(tmp, 'base');
  await makeOddTree(base, { sparseSize: 4 * 1024 * 1024, deep: 12 });
});

afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('identical copies', () => {
  test('a tree compares identical to itself', async () => {
    expect(await compareTrees(base, base, { hardlinks: true })).toEqual([]);
  });

  test('cp -a copy is identical (hardlinks included)', async () => {
    const b = await copyOfBase();
    const diffs = await compareTrees(base, b, { hardlinks: true });
    expect(diffs, formatDifferences(diffs)).toEqual([]);
  });

  test('rsync -aH copy is identical (hardlinks included)', async () => {
    const b = path.join(tmp, 'rsync-aH');
    run(['rsync', '-aH', '--', base + '/', b + '/']);
    const diffs = await compareTrees(base, b, { hardlinks: true });
    expect(diffs, formatDifferences(diffs)).toEqual([]);
  });

  test('rsync -a without -H: identical unless hardlinks are checked', async () => {
    const b = path.join(tmp, 'rsync-a');
    run(['rsync', '-a', '--', base + '/', b + '/']);
    expect(await compareTrees(base, b)).toEqual([]);
    const diffs = await compareTrees(base, b, { hardlinks: true });
    expect(diffs.map((d) => [d.path, d.what])).toEqual([
      ['hard/-three', 'hardlink'],
      ['hard/one', 'hardlink'],
      ['hard/two', 'hardlink'],
    ]);
  });
});

interface Case {
  name: string;
  mutate: (b: string) => Promise<unknown>;
  opts?: CompareOptions;
  expect: [string, string][];
}

const isRoot = process.getuid?.() === 0;

const cases: Case[] = [
  { name: 'missing file', mutate: (b) => quietly(P(b, 'sizes/small'), () => fsp.rm(P(b, 'sizes/small')), false), expect: [['sizes/small', 'missing']] },
  { name: 'extra file', mutate: (b) => quietly(P(b, 'sizes/new'), () => fsp.writeFile(P(b, 'sizes/new'), 'x'), false), expect: [['sizes/new', 'extra']] },
  { name: 'extra empty dir', mutate: (b) => quietly(P(b, 'empty/more'), () => fsp.mkdir(P(b, 'empty/more')), false), expect: [['empty/more', 'extra']] },
  {
    name: 'content change with the same size',
    mutate: (b) => quietly(P(b, 'sizes/medium'), async () => {
      const fh = await fsp.open(P(b, 'sizes/medium'), 'r+');
      const buf = Buffer.alloc(1);
      await fh.read(buf, 0, 1, 200_000);
      buf[0] = buf[0]! ^ 0x01;
      await fh.write(buf, 0, 1, 200_000);
      await fh.close();
    }),
    expect: [['sizes/medium', 'content']],
  },
  { name: 'size change', mutate: (b) => quietly(P(b, 'sizes/4k'), () => fsp.appendFile(P(b, 'sizes/4k'), 'more')), expect: [['sizes/4k', 'size']] },
  { name: 'content change in the sparse file tail', mutate: (b) => quietly(P(b, 'sparse/big.sparse'), () => fsp.truncate(P(b, 'sparse/big.sparse'), 4 * 1024 * 1024 - 1).then(() => fsp.appendFile(P(b, 'sparse/big.sparse'), 'X'))), expect: [['sparse/big.sparse', 'content']] },
  { name: 'mode change', mutate: (b) => fsp.chmod(P(b, 'perm/readonly'), 0o644), expect: [['perm/readonly', 'mode']] },
  { name: 'setuid bit lost', mutate: (b) => fsp.chmod(P(b, 'perm/setuid'), 0o755), expect: [['perm/setuid', 'mode']] },
  { name: 'sticky bit lost', mutate: (b) => fsp.chmod(P(b, 'perm/sticky-dir'), 0o777), expect: [['perm/sticky-dir', 'mode']] },
  { name: 'file mtime change', mutate: (b) => fsp.utimes(P(b, 'sizes/4k'), 1_000_000_000, 1_000_000_000), expect: [['sizes/4k', 'mtime']] },
  {
    name: 'file mtime off by one nanosecond',
    mutate: async (b) => {
      const st = await fsp.lstat(P(b, 'sizes/small'), { bigint: true });
      const ns = st.mtimeNs + 1n;
      const stamp = `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
      run(['touch', '-m', '-d', stamp, '--', P(b, 'sizes/small').toString()]);
    },
    expect: [['sizes/small', 'mtime']],
  },
  {
    name: 'symlink target change',
    mutate: (b) => quietly(P(b, 'links/to-file'), async () => {
      await fsp.rm(P(b, 'links/to-file'));
      await fsp.symlink('../sizes/4k', P(b, 'links/to-file'));
    }),
    expect: [['links/to-file', 'target']],
  },
  { name: 'symlink mtime change', mutate: (b) => fsp.lutimes(P(b, 'links/dangling'), 1e9, 1e9), expect: [['links/dangling', 'mtime']] },
  { name: 'fifo mtime change', mutate: (b) => fsp.utimes(P(b, 'special/fifo'), 1e9, 1e9), expect: [['special/fifo', 'mtime']] },
  { name: 'dir mtime change', mutate: (b) => fsp.utimes(P(b, 'nest/empty-1'), 1e9, 1e9), expect: [['nest/empty-1', 'mtime']] },
  { name: 'dir mtime change ignored without dirTimes', mutate: (b) => fsp.utimes(P(b, 'nest/empty-1'), 1e9, 1e9), opts: { dirTimes: false }, expect: [] },
  { name: 'top-level dir mtime change', mutate: (b) => fsp.utimes(b, 1e9, 1e9), expect: [['.', 'mtime']] },
  { name: 'top-level dir mode change', mutate: (b) => fsp.chmod(b, 0o700), expect: [['.', 'mode']] },
  { name: 'top-level dir ignored without dirTimes', mutate: (b) => fsp.chmod(b, 0o700), opts: { dirTimes: false }, expect: [] },
  { name: 'non-UTF-8 name missing', mutate: (b) => quietly(P(b, BAD), () => fsp.rm(P(b, BAD)), false), expect: [['bad\\xff\\xfe', 'missing']] },
  {
    name: 'non-UTF-8 name with its bytes swapped',
    mutate: (b) => quietly(P(b, BAD), () => fsp.rename(P(b, BAD), P(b, Buffer.from([0x62, 0x61, 0x64, 0xfe, 0xff]))), false),
    expect: [['bad\\xfe\\xff', 'extra'], ['bad\\xff\\xfe', 'missing']],
  },
  { name: 'NFC name missing, NFD twin kept', mutate: (b) => quietly(P(b, '\u00e9'), () => fsp.rm(P(b, '\u00e9')), false), expect: [['\u00e9', 'missing']] },
  { name: 'file in the deep path changed', mutate: (b) => fsp.chmod(P(b, 'deep/' + Array.from({ length: 12 }, (_, i) => `level-${String(i + 1).padStart(2, '0')}`).join('/') + '/bottom.txt'), 0o600), expect: [['deep/level-01/level-02/level-03/level-04/level-05/level-06/level-07/level-08/level-09/level-10/level-11/level-12/bottom.txt', 'mode']] },
  {
    name: 'file replaced by a directory',
    mutate: (b) => quietly(P(b, 'sizes/empty'), async () => {
      await fsp.rm(P(b, 'sizes/empty'));
      await fsp.mkdir(P(b, 'sizes/empty'));
    }, false),
    expect: [['sizes/empty', 'type']],
  },
  {
    name: 'fifo replaced by an empty file',
    mutate: (b) => quietly(P(b, 'special/fifo'), async () => {
      await fsp.rm(P(b, 'special/fifo'));
      await fsp.writeFile(P(b, 'special/fifo'), '');
    }),
    expect: [['special/fifo', 'type']],
  },
  ...(['hardlink broken', 'hardlink broken, not checked'] as const).map((name, i): Case => ({
    name,
    mutate: (b) => quietly(P(b, 'hard/two'), async () => {
      await fsp.rm(P(b, 'hard/two'));
      await fsp.copyFile(P(b, 'hard/one'), P(b, 'hard/two'));
    }),
    opts: { hardlinks: i === 0 },
    expect: i === 0 ? [['hard/-three', 'hardlink'], ['hard/one', 'hardlink'], ['hard/two', 'hardlink']] : [],
  })),
  { name: 'ignored path', mutate: (b) => fsp.writeFile(P(b, 'sizes/new'), 'x').then(() => fsp.rm(P(b, 'sizes/small'))), opts: { ignore: (rel) => rel.toString() === 'sizes', dirTimes: false }, expect: [] },
  { name: 'missing subtree reported once', mutate: (b) => quietly(P(b, 'nest'), () => fsp.rm(P(b, 'nest'), { recursive: true }), false), expect: [['nest', 'missing']] },
  ...(isRoot
    ? [
        { name: 'uid change', mutate: (b) => fsp.lchown(P(b, 'sizes/small'), 1234, 0), expect: [['sizes/small', 'uid']] } as Case,
        { name: 'gid change on a symlink', mutate: (b) => fsp.lchown(P(b, 'links/to-dir'), 0, 4321), expect: [['links/to-dir', 'gid']] } as Case,
        { name: 'uid change ignored without owners', mutate: (b) => fsp.lchown(P(b, 'sizes/small'), 1234, 0), opts: { owners: false }, expect: [] } as Case,
      ]
    : []),
];

describe('detects each kind of difference', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const b = await copyOfBase();
      await c.mutate(b);
      const diffs = await compareTrees(base, b, c.opts);
      expect(diffs.map((d) => [d.path, d.what]), formatDifferences(diffs)).toEqual(c.expect);
      await fsp.rm(b, { recursive: true, force: true });
    });
  }
});

describe('details', () => {
  test('collects every difference, sorted by path', async () => {
    const b = await copyOfBase();
    await fsp.rm(P(b, 'sizes/small'));
    await fsp.chmod(P(b, 'perm/private'), 0o644);
    await fsp.writeFile(P(b, 'zzz'), '');
    const diffs = await compareTrees(base, b, { dirTimes: false });
    expect(diffs.map((d) => [d.path, d.what])).toEqual([['perm/private', 'mode'], ['sizes/small', 'missing'], ['zzz', 'extra']]);
  });

  test('caps the list at 1000 differences', async () => {
    const a = path.join(tmp, 'cap-a');
    const b = path.join(tmp, 'cap-b');
    await fsp.mkdir(a);
    await fsp.mkdir(b);
    await Promise.all(Array.from({ length: 1200 }, (_, i) => fsp.writeFile(path.join(a, `f${i}`), '')));
    const diffs = await compareTrees(a, b, { dirTimes: false });
    expect(diffs.length).toBe(1000);
    expect(diffs.every((d) => d.what === 'missing')).toBe(true);
  });

  test('reports the content offset and the mode/mtime values', async () => {
    const a = path.join(tmp, 'detail-a');
    const b = path.join(tmp, 'detail-b');
    await fsp.mkdir(a);
    await fsp.mkdir(b);
    await fsp.writeFile(path.join(a, 'f'), 'abcdef');
    await fsp.writeFile(path.join(b, 'f'), 'abcxef');
    await fsp.chmod(path.join(a, 'f'), 0o4755);
    await fsp.chmod(path.join(b, 'f'), 0o755);
    await fsp.utimes(path.join(a, 'f'), 1_500_000_000.25, 1_500_000_000.25);
    await fsp.utimes(path.join(b, 'f'), 1_500_000_001, 1_500_000_001);
    const diffs = await compareTrees(a, b, { dirTimes: false });
    expect(diffs).toEqual([
      { path: 'f', what: 'content', a: 'differs at byte 3' },
      { path: 'f', what: 'mode', a: '4755', b: '0755' },
      { path: 'f', what: 'mtime', a: '2017-07-14T02:40:00.250000000Z', b: '2017-07-14T02:40:01.000000000Z' },
    ]);
  });

  test('hardlinks created in b but not in a are reported', async () => {
    const a = path.join(tmp, 'links-a');
    await fsp.mkdir(a);
    await fsp.writeFile(path.join(a, 'x'), 'same');
    await fsp.writeFile(path.join(a, 'y'), 'same');
    await fsp.utimes(path.join(a, 'x'), 1e9, 1e9);
    await fsp.utimes(path.join(a, 'y'), 1e9, 1e9);
    const b = path.join(tmp, 'links-b');
    await fsp.mkdir(b);
    await fsp.copyFile(path.join(a, 'x'), path.join(b, 'x'));
    await fsp.utimes(path.join(b, 'x'), 1e9, 1e9);
    await fsp.link(path.join(b, 'x'), path.join(b, 'y'));
    const diffs = await compareTrees(a, b, { hardlinks: true, dirTimes: false });
    expect(diffs).toEqual([
      { path: 'x', what: 'hardlink', a: 'not linked', b: 'linked with y' },
      { path: 'y', what: 'hardlink', a: 'not linked', b: 'linked with x' },
    ]);
  });

  test('multi-GB sparse files are streamed (difference past 2^31)', async () => {
    const a = path.join(tmp, 'huge-a');
    const b = path.join(tmp, 'huge-b');
    await fsp.mkdir(a);
    await fsp.mkdir(b);
    const size = 2 ** 31 + 4096;
    for (const [dir, last] of [[a, 'A'], [b, 'B']] as const) {
      const fh = await fsp.open(path.join(dir, 'huge'), 'w');
      await fh.truncate(size);
      await fh.write(Buffer.from(last), 0, 1, size - 1);
      await fh.close();
      await fsp.utimes(path.join(dir, 'huge'), 1e9, 1e9);
    }
    const diffs = await compareTrees(a, b, { dirTimes: false });
    expect(diffs).toEqual([{ path: 'huge', what: 'content', a: `differs at byte ${size - 1}` }]);
  }, 60_000);

  test('a missing b root is one difference', async () => {
    expect(await compareTrees(base, path.join(tmp, 'does-not-exist'))).toEqual([{ path: '.', what: 'missing', a: 'dir' }]);
  });

  test('formatDifferences', () => {
    expect(formatDifferences([])).toBe('no differences');
    const diffs = Array.from({ length: 25 }, (_, i) => ({ path: `p${i}`, what: 'missing', a: 'file' }));
    const text = formatDifferences(diffs, 3);
    expect(text).toBe('25 differences:\n  p0: missing (a: file, b: -)\n  p1: missing (a: file, b: -)\n  p2: missing (a: file, b: -)\n  ... and 22 more');
    expect(formatDifferences([{ path: 'x', what: 'extra' }])).toBe('1 difference:\n  x: extra');
  });

  test.each([
    [[0x61, 0x62], 'ab'],
    [[0x62, 0x61, 0x64, 0xff, 0xfe], 'bad\\xff\\xfe'],
    [[0xc3, 0xa9], '\u00e9'],
    [[0x65, 0xcc, 0x81], 'e\u0301'],
    [[0xf0, 0x9f, 0x98, 0x80], '\u{1f600}'],
    [[0xc0, 0x80], '\\xc0\\x80'], // overlong NUL
    [[0xed, 0xa0, 0x80], '\\xed\\xa0\\x80'], // UTF-16 surrogate
    [[0xe2, 0x82], '\\xe2\\x82'], // truncated sequence
    [[0x61, 0x0a, 0x09, 0x5c], 'a\\x0a\\x09\\'], // controls escaped, backslash kept
  ])('displayPath %p', (bytes, shown) => {
    expect(displayPath(Buffer.from(bytes))).toBe(shown);
  });
});
