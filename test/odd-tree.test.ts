import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeOddTree, makeSmallFilesTree } from '../src/engine/odd-tree.ts';
import { compareTrees, formatDifferences } from '../src/engine/tree-compare.ts';
import { rsyncRef } from './trees.ts';

const MiB = 1024 * 1024;
let tmp: string;
let src: string;

const P = (root: string, ...rel: (string | Buffer)[]): Buffer =>
  Buffer.concat([Buffer.from(root), ...rel.flatMap((r) => [Buffer.from('/'), Buffer.from(r)])]);
const lst = (p: Buffer) => fsp.lstat(p, { bigint: true });

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'multisync-odd-tree-'));
  src = path.join(tmp, 'src');
  await makeOddTree(src);
});

afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('makeOddTree', () => {
  test('has names that are not valid UTF-8', async () => {
    const names = await fsp.readdir(Buffer.from(src), { encoding: 'buffer' });
    const bad = Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]);
    expect(names.some((n) => n.equals(bad))).toBe(true);
    expect(names.some((n) => !Buffer.from(n.toString('utf8')).equals(n))).toBe(true);
    const inner = await lst(P(src, Buffer.from([0x64, 0x69, 0x72, 0xfe]), Buffer.from([0x66, 0xff])));
    expect(inner.isFile()).toBe(true);
  });

  test('has hostile names at the top level and below', async () => {
    const top = new Set((await fsp.readdir(src)).map(String));
    const nested = new Set((await fsp.readdir(path.join(src, 'odd-names'))).map(String));
    for (const n of ['-rf', '--delete', '-e ssh', '#comment.txt', ';semicolon.txt', 'new\nline.txt', 'tab\there.txt',
      'name with spaces.txt', "it's", 'say "hi"', '*?[', 'back\\slash', '$(x)', '`x`', '\u00e9', 'e\u0301']) {
      expect(top.has(n)).toBe(true);
      expect(nested.has(n)).toBe(true);
    }
    expect(top.has('#dir')).toBe(true);
    expect((await lst(P(src, '#dir', '#inner'))).isFile()).toBe(true);
    expect((await lst(P(src, ';dir', ';inner'))).isFile()).toBe(true);
  });

  test('NFC and NFD spellings are two distinct files', async () => {
    const nfc = await lst(P(src, '\u00e9'));
    const nfd = await lst(P(src, 'e\u0301'));
    expect(nfc.ino).not.toBe(nfd.ino);
  });

  test('has 255-byte names and a 40-level deep path', async () => {
    expect((await lst(P(src, 'a'.repeat(255)))).isFile()).toBe(true);
    const multi = '\u00e9'.repeat(127) + 'x';
    expect(Buffer.byteLength(multi)).toBe(255);
    expect((await lst(P(src, multi))).isFile()).toBe(true);
    const levels = Array.from({ length: 40 }, (_, i) => `level-${String(i + 1).padStart(2, '0')}`);
    expect((await lst(P(src, 'deep', ...levels, 'bottom.txt'))).isFile()).toBe(true);
  });

  test('has a fifo, symlinks and empty dirs', async () => {
    expect((await lst(P(src, 'special/fifo'))).isFIFO()).toBe(true);
    const target = (p: string) => fsp.readlink(P(src, p), { encoding: 'buffer' }).then(String);
    expect(await target('links/to-file')).toBe('../sizes/small');
    expect(await target('links/to-dir')).toBe('../sizes');
    expect(await target('links/absolute')).toBe('/etc/passwd');
    expect(await target('links/dangling')).toBe('does/not/exist');
    await expect(fsp.stat(path.join(src, 'links/dangling'))).rejects.toThrow();
    expect(await fsp.readdir(path.join(src, 'empty'))).toEqual([]);
    expect(await fsp.readdir(path.join(src, 'nest/empty-1/empty-2/empty-3'))).toEqual([]);
  });

  test('has a sparse file', async () => {
    const st = await lst(P(src, 'sparse/big.sparse'));
    expect(st.size).toBe(BigInt(64 * MiB));
    expect(st.blocks * 512n).toBeLessThan(BigInt(MiB));
    const fh = await fsp.open(path.join(src, 'sparse/big.sparse'), 'r');
    const tail = Buffer.alloc(16);
    await fh.read(tail, 0, 16, 64 * MiB - 16);
    await fh.close();
    expect(tail.toString()).toBe('\nsparse file end');
  });

  test('has files of various sizes and special permission bits', async () => {
    const size = async (p: string) => Number((await lst(P(src, p))).size);
    expect(await size('sizes/empty')).toBe(0);
    expect(await size('sizes/small')).toBe(100);
    expect(await size('sizes/medium')).toBeGreaterThan(256 * 1024);
    const mode = async (p: string) => Number((await lst(P(src, p))).mode) & 0o7777;
    expect(await mode('perm/setuid')).toBe(0o4755);
    expect(await mode('perm/setgid-dir')).toBe(0o2755);
    expect(await mode('perm/sticky-dir')).toBe(0o1777);
    expect(await mode('perm/readonly')).toBe(0o444);
    expect((await lst(P(src, 'hard/one'))).ino).toBe((await lst(P(src, 'hard/two'))).ino);
  });

  test('mtimes are distinct, and set after children were created', async () => {
    const times = await Promise.all(['.', 'sizes', 'sizes/small', 'sizes/4k', 'links', 'links/to-file', 'nest/empty-1', 'special/fifo'].map(
      async (p) => (await lst(P(src, p))).mtimeNs,
    ));
    expect(new Set(times).size).toBe(times.length);
    for (const t of times) expect(t).toBeLessThan(1_600_000_000n * 1_000_000_000n);
  });

  test('is deterministic: a second tree compares identical, mtimes included', async () => {
    const again = path.join(tmp, 'again');
    await makeOddTree(again);
    const diffs = await compareTrees(src, again, { hardlinks: true });
    expect(diffs, formatDifferences(diffs)).toEqual([]);
    await fsp.rm(again, { recursive: true });
  });

  test('rsync -a -S copies it faithfully (and keeps the file sparse)', async () => {
    const dst = path.join(tmp, 'rsync-aS');
    rsyncRef(['-a', '-S', '--', src + '/', dst + '/']);
    const diffs = await compareTrees(src, dst);
    expect(diffs, formatDifferences(diffs)).toEqual([]);
    const st = await lst(P(dst, 'sparse/big.sparse'));
    expect(st.blocks * 512n).toBeLessThan(BigInt(MiB));
  });

  test('options: sparseSize and deep', async () => {
    const small = path.join(tmp, 'small-opts');
    await makeOddTree(small, { sparseSize: MiB, deep: 3 });
    expect((await lst(P(small, 'sparse/big.sparse'))).size).toBe(BigInt(MiB));
    expect((await lst(P(small, 'deep/level-01/level-02/level-03/bottom.txt'))).isFile()).toBe(true);
    expect(await fsp.readdir(path.join(small, 'deep/level-01/level-02/level-03'))).toEqual(['bottom.txt']);
  });
});

describe('makeSmallFilesTree', () => {
  test('20k files, deterministic, fast', async () => {
    const opts = { files: 20_000, dirs: 300, minSize: 10, maxSize: 2000, seed: 42 };
    const t0 = performance.now();
    const r = await makeSmallFilesTree(path.join(tmp, 'small-1'), opts);
    const ms = performance.now() - t0;
    expect(r.files).toBe(20_000);
    expect(r.dirs).toBe(300);
    expect(r.bytes).toBeGreaterThan(20_000 * 10);
    expect(ms).toBeLessThan(30_000);
    const found = spawnSync('find', [path.join(tmp, 'small-1'), '-type', 'f'], { encoding: 'utf8', maxBuffer: 64 * MiB });
    expect(found.stdout.trim().split('\n').length).toBe(20_000);
    await makeSmallFilesTree(path.join(tmp, 'small-2'), opts);
    expect(await compareTrees(path.join(tmp, 'small-1'), path.join(tmp, 'small-2'))).toEqual([]);
    await makeSmallFilesTree(path.join(tmp, 'small-3'), { ...opts, seed: 43 });
    expect((await compareTrees(path.join(tmp, 'small-1'), path.join(tmp, 'small-3'))).length).toBeGreaterThan(0);
  }, 120_000);
});
