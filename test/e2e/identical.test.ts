// multisync's result must equal what ONE rsync with the same options produces: the reference
// is built with plain rsync into another directory and compared entry by entry (directory
// mtimes and hardlink groups included).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareTrees } from '../../src/engine/tree-compare.ts';
import { jsonEvents, runCli, tempDir } from './helpers.ts';
import { expectSameTrees, rsyncRef } from '../trees.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');
afterAll(() => tmp.cleanup());

/**
 * Gives every directory an old mtime, deepest first. (rsync compares mtimes to the second:
 * a directory created in the same second as its copy keeps the copy's own sub-second time,
 * so a fresh tree would differ from its plain-rsync reference for rsync's reasons, not ours.)
 */
function ageDirs(root: string, t = 1_500_000_000) {
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    utimesSync(dir, t, t);
  };
  walk(root);
}

function write(rel: string, body: string, mtime = 1_600_000_000) {
  const p = join(src, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, body);
  utimesSync(p, mtime, mtime);
}

beforeAll(() => {
  for (let d = 0; d < 6; d++) for (let f = 0; f < 8; f++) write(`d${d}/sub/f${f}.txt`, `file ${d}/${f}\n`.repeat(f + 1));
  write('a-first/original', 'linked data\n');
  linkSync(join(src, 'a-first/original'), join(src, 'd3/sub/link-far-away'));
  mkdirSync(join(src, 'zz-last'));
  linkSync(join(src, 'a-first/original'), join(src, 'zz-last/third-name'));
  write('b/pair1', 'pair\n');
  linkSync(join(src, 'b/pair1'), join(src, 'd5/pair2'));
  write('junk/x.tmp', 'tmp');
  write('d1/y.tmp', 'tmp');
  write('cache/big.bin', 'cache');
  write('d2/cache/inner', 'nested cache dir');
  write('logs/keep.log', 'keep');
  write('logs/drop.log', 'drop');
  write('anchored', 'top-level only');
  write('d4/anchored', 'not top-level: kept');
  mkdirSync(join(src, 'empty/deeper'), { recursive: true });
  ageDirs(src);
  // directory mtimes far in the past: every bucket's writes would bump them
  for (const d of ['d0', 'd0/sub', 'd3/sub', 'empty', 'empty/deeper', 'zz-last', 'logs']) utimesSync(join(src, d), 1_500_000_000, 1_500_000_000);
  utimesSync(src, 1_400_000_000, 1_400_000_000);
});

describe('hardlinks and directory metadata', () => {
  test('-H: every name of an inode lands in one bucket, links recreated; dirs keep mtimes', async () => {
    const ref = join(tmp.path, 'ref-H');
    const dst = join(tmp.path, 'dst-H');
    rsyncRef(['-aH', `${src}/`, `${ref}/`]);
    const r = await runCli(['-p', '4', '-f', '2', '-r', '-aH --numeric-ids', `${src}/`, dst]);
    expect(r.code).toBe(0);
    await expectSameTrees(ref, dst, { hardlinks: true });
    const ino = (p: string) => statSync(join(dst, p)).ino;
    expect(ino('d3/sub/link-far-away')).toBe(ino('a-first/original'));
    expect(ino('zz-last/third-name')).toBe(ino('a-first/original'));
    expect(ino('d5/pair2')).toBe(ino('b/pair1'));
    expect(statSync(dst).mtimeMs).toBe(statSync(src).mtimeMs);
  });

  test('src (no slash) form: DST/src gets its mtime and mode too', async () => {
    const ref = join(tmp.path, 'ref-ns');
    const dst = join(tmp.path, 'dst-ns');
    rsyncRef(['-a', src, `${ref}/`]);
    expect((await runCli(['-p', '3', '-f', '3', src, dst])).code).toBe(0);
    await expectSameTrees(join(ref, 'src'), join(dst, 'src'));
  });
});

describe('excludes, applied by the crawler and by rsync', () => {
  const rules = ['--exclude', '*.tmp', '--exclude', '/anchored', '--exclude', 'cache/', '--include', 'keep.log', '--exclude', '*.log'];
  test('same result as rsync with the same rules; excluded entries are not even listed', async () => {
    const ref = join(tmp.path, 'ref-ex');
    const dst = join(tmp.path, 'dst-ex');
    rsyncRef(['-a', ...rules, `${src}/`, `${ref}/`]);
    const r = await runCli(['--json', '-p', '2', '-f', '5', ...rules, `${src}/`, dst]);
    expect(r.code).toBe(0);
    await expectSameTrees(ref, dst);
    expect(existsSync(join(dst, 'd4/anchored'))).toBe(true);
    expect(existsSync(join(dst, 'logs/keep.log'))).toBe(true);
    const sum = jsonEvents(r.stdout).pop()!;
    // 48 + 5 link names/pairs... counted from the reference: every non-directory + empty dirs
    const count = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? (readdirSync(join(dir, e.name)).length ? count(join(dir, e.name)) : 1) : 1), 0);
    expect(sum.filesTotal).toBe(count(ref));
  });

  test('--exclude-from file and rules inside --rsync OPTS', async () => {
    const ref = join(tmp.path, 'ref-exf');
    const dst = join(tmp.path, 'dst-exf');
    const file = join(tmp.path, 'rules.txt');
    writeFileSync(file, '# comment\n- *.tmp\n+ keep.log\n- *.log\n\ncache/\n');
    rsyncRef(['-a', `--exclude-from=${file}`, '--exclude=d0/**', `${src}/`, `${ref}/`]);
    const r = await runCli(['-f', '4', '--exclude-from', file, '-r', '-a --exclude=d0/**', `${src}/`, dst]);
    expect(r.code).toBe(0);
    await expectSameTrees(ref, dst);
  });
});

describe('--delete: one pass, only when safe', () => {
  function seedDst(dir: string) {
    cpSync(src, dir, { recursive: true, preserveTimestamps: true });
    writeFileSync(join(dir, 'stale-top'), 'gone from SRC');
    mkdirSync(join(dir, 'd2/stale-dir/deeper'), { recursive: true });
    writeFileSync(join(dir, 'd2/stale-dir/deeper/f'), 'x');
    writeFileSync(join(dir, 'd0/sub/stale.txt'), 'x');
    writeFileSync(join(dir, 'd1/protected.tmp'), 'excluded: rsync --delete keeps it');
    utimesSync(join(dir, 'd1/protected.tmp'), 1_600_000_000, 1_600_000_000);
  }

  test('removes exactly what rsync -a --delete removes, excludes respected', async () => {
    const ref = join(tmp.path, 'ref-del');
    const dst = join(tmp.path, 'dst-del');
    seedDst(ref);
    seedDst(dst);
    rsyncRef(['-a', '--delete', '--exclude=*.tmp', `${src}/`, `${ref}/`]);
    const r = await runCli(['--json', '-f', '3', '-p', '3', '--delete', '--exclude', '*.tmp', `${src}/`, dst]);
    expect(r.code).toBe(0);
    await expectSameTrees(ref, dst);
    expect(existsSync(join(dst, 'd1/protected.tmp'))).toBe(true);
    const deletes = jsonEvents(r.stdout).filter((e) => e.type === 'delete').map((e) => e.path);
    expect(deletes).toContain('stale-top');
    expect(deletes).toContain('d0/sub/stale.txt');
  });

  test('--delete inside --rsync OPTS is lifted out, never run per bucket', async () => {
    const ref = join(tmp.path, 'ref-del2');
    const dst = join(tmp.path, 'dst-del2');
    seedDst(ref);
    seedDst(dst);
    rsyncRef(['-a', '--delete', `${src}/`, `${ref}/`]);
    const r = await runCli(['-f', '3', '-r', '-a --delete', `${src}/`, dst]);
    expect(r.code).toBe(0);
    await expectSameTrees(ref, dst);
  });

  test('--dry-run --delete lists what would go and touches nothing', async () => {
    const dst = join(tmp.path, 'dst-del-dry');
    seedDst(dst);
    const before = await compareTrees(src, dst);
    const r = await runCli(['--dry-run', '--delete', `${src}/`, dst]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/would delete stale-top/);
    expect(r.stdout).toMatch(/would delete d2\/stale-dir\//);
    expect(await compareTrees(src, dst)).toEqual(before);
  });

  test('a failed bucket means nothing is deleted, and the run says so (exit 1)', async () => {
    const dst = join(tmp.path, 'dst-del-fail');
    seedDst(dst);
    // a non-empty directory where SRC has a file: that bucket fails
    rmSync(join(dst, 'b/pair1'));
    mkdirSync(join(dst, 'b/pair1'));
    writeFileSync(join(dst, 'b/pair1/user-file'), 'x');
    const r = await runCli(['--json', '--retries', '0', '-f', '2', '--delete', `${src}/`, dst]);
    expect(r.code).toBe(1);
    expect(existsSync(join(dst, 'stale-top'))).toBe(true);
    expect(existsSync(join(dst, 'd2/stale-dir/deeper/f'))).toBe(true);
    const fin = jsonEvents(r.stdout).find((e) => e.type === 'finalize' && e.step === 'delete');
    expect(fin).toMatchObject({ ok: false, error: expect.stringMatching(/nothing deleted: 1 bucket\(s\) failed/) });
  });
});

describe('incremental runs', () => {
  test('a second run transfers only what changed and deletes what went', async () => {
    const s = join(tmp.path, 'inc-src');
    const d = join(tmp.path, 'inc-dst');
    cpSync(src, s, { recursive: true, preserveTimestamps: true });
    expect((await runCli(['-f', '5', `${s}/`, d])).code).toBe(0);
    writeFileSync(join(s, 'd0/sub/f1.txt'), 'changed content\n');
    writeFileSync(join(s, 'd4/sub/f7.txt'), 'changed too\n');
    writeFileSync(join(s, 'd5/new-file'), 'new\n');
    unlinkSync(join(s, 'd2/sub/f3.txt'));
    ageDirs(s);
    const r = await runCli(['--json', '-f', '5', '--delete', `${s}/`, d]);
    expect(r.code).toBe(0);
    const sum = jsonEvents(r.stdout).pop()!;
    expect(sum).toMatchObject({ filesTransferred: 3, deleted: 1 });
    expect(sum.bytesSent).toBeLessThan(20_000);
    await expectSameTrees(s, d);
  });
});

describe('-x, --one-file-system', () => {
  const canMount = process.getuid?.() === 0;
  test.skipIf(!canMount)('does not descend into another filesystem; the mount point stays an empty dir', async () => {
    const s = join(tmp.path, 'x-src');
    const m = join(s, 'mnt');
    mkdirSync(m, { recursive: true });
    writeFileSync(join(s, 'on-root-fs'), 'x');
    const mounted = Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', m]).exitCode === 0;
    if (!mounted) return;
    try {
      writeFileSync(join(m, 'on-other-fs'), 'y');
      ageDirs(s);
      const ref = join(tmp.path, 'x-ref');
      const dst = join(tmp.path, 'x-dst');
      rsyncRef(['-a', '-x', `${s}/`, `${ref}/`]);
      const r = await runCli(['-x', `${s}/`, dst]);
      expect(r.code).toBe(0);
      expect(existsSync(join(dst, 'mnt'))).toBe(true);
      expect(existsSync(join(dst, 'mnt/on-other-fs'))).toBe(false);
      await expectSameTrees(ref, dst);
    } finally {
      Bun.spawnSync(['umount', m]);
    }
  });
});
