// Resume after a crash (kill -9 mid-transfer and mid-crawl), SIGINT then resume, bucket
// splitting down to the bad path, --retry-failed, status, and a full disk. Real rsync, real trees.
import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { makeSmallFilesTree } from '../../src/engine/odd-tree.ts';
import { jsonEvents, rsyncPids, runCli, startCli, tempDir, waitFor } from './helpers.ts';
import { expectSameTrees } from '../trees.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function bigFiles(dir: string, n: number, size = 1024 * 1024) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `file-${String(i).padStart(2, '0')}.bin`), Buffer.alloc(size, i + 1));
}

describe('resume', () => {
  test('kill -9 mid-transfer, rerun the same command: complete, identical, done buckets not re-sent', async () => {
    const src = join(tmp.path, 'k9-src');
    const dst = join(tmp.path, 'k9-dst');
    bigFiles(src, 10);
    const args = ['--json', '-p', '2', '-f', '1', '-r', '-a --bwlimit=2000', `${src}/`, dst];
    const first = startCli(args);
    await waitFor(() => jsonEvents(first.lines).filter((e) => e.type === 'bucket-done').length >= 3 && rsyncPids(dst).length > 0, 'three buckets done');
    first.proc.kill('SIGKILL');
    await first.done();
    const doneBefore = new Set(jsonEvents(first.lines).filter((e) => e.type === 'bucket-done').map((e) => e.bucket));

    const again = await runCli(args);
    expect(again.code).toBe(0);
    const ev = jsonEvents(again.stdout);
    const resume = ev.find((e) => e.type === 'resume');
    expect(resume?.skippedBuckets).toBeGreaterThanOrEqual(doneBefore.size);
    const rerun = ev.filter((e) => e.type === 'bucket-done').map((e) => e.bucket);
    for (const id of rerun) expect(doneBefore.has(id)).toBe(false);
    const sum = ev[ev.length - 1];
    expect(sum.skippedBuckets).toBeGreaterThanOrEqual(3);
    expect(sum.exitCode).toBe(0);
    await expectSameTrees(src, dst); // also proves no .file-NN.bin.XXXXXX temp file was left
    expect(rsyncPids(dst)).toEqual([]);
  });

  test('kill -9 during the crawl of a large tree: finished subtrees are not listed again', async () => {
    const src = join(tmp.path, 'crawl-src');
    const dst = join(tmp.path, 'crawl-dst');
    await makeSmallFilesTree(src, { files: 3000, dirs: 300, minSize: 1, maxSize: 200, seed: 3 });
    const args = ['--json', '-p', '2', '-f', '20', `${src}/`, dst];
    const first = startCli(args, { env: { MULTISYNC_TEST_CRAWL_DELAY_MS: '10' } });
    await waitFor(() => jsonEvents(first.lines).filter((e) => e.type === 'bucket-done').length >= 10, 'ten buckets done');
    first.proc.kill('SIGKILL');
    await first.done();
    expect(jsonEvents(first.lines).some((e) => e.type === 'crawl-done')).toBe(false);

    const again = await runCli(args);
    expect(again.code).toBe(0);
    const ev = jsonEvents(again.stdout);
    const resume = ev.find((e) => e.type === 'resume')!;
    const crawl = ev.find((e) => e.type === 'crawl-done')!;
    expect(resume.skippedBuckets).toBeGreaterThan(0);
    // entries listed by this run's crawl: far fewer than the tree
    expect(crawl.files - resume.listedBefore).toBeLessThan(3000 - 100);
    await expectSameTrees(src, dst);
  });

  test('SIGINT: exit 130, no rsync left; the rerun resumes', async () => {
    const src = join(tmp.path, 'int-src');
    const dst = join(tmp.path, 'int-dst');
    bigFiles(src, 8);
    const args = ['--json', '-p', '2', '-f', '1', '-r', '-a --bwlimit=2000', `${src}/`, dst];
    const first = startCli(args);
    await waitFor(() => jsonEvents(first.lines).filter((e) => e.type === 'bucket-done').length >= 2, 'two buckets done');
    first.proc.kill('SIGINT');
    expect(await first.done()).toBe(130);
    expect(rsyncPids(dst)).toEqual([]);
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(jsonEvents(again.stdout).pop()!.skippedBuckets).toBeGreaterThanOrEqual(2);
    await expectSameTrees(src, dst);
  });

  test('a finished run is not resumed: the same command again is a new, incremental run; --new discards state', async () => {
    const src = join(tmp.path, 'fin-src');
    bigFiles(src, 3, 1000);
    const dst = join(tmp.path, 'fin-dst');
    expect((await runCli(['-f', '1', `${src}/`, dst])).code).toBe(0);
    const again = await runCli(['--json', '-f', '1', `${src}/`, dst]);
    const ev = jsonEvents(again.stdout);
    expect(ev.some((e) => e.type === 'resume')).toBe(false);
    expect(ev.pop()).toMatchObject({ skippedBuckets: 0, exitCode: 0, filesTransferred: 0 });
  });

  test("retention: another command's state goes 30 days after its clean run, not with --state-days 0, never a failed one", async () => {
    const root = join(tmp.path, 'ret-state');
    const runs = join(root, 'multisync');
    const cmd = (name: string, extra: string[] = []) => {
      const src = join(tmp.path, `ret-${name}`);
      bigFiles(src, 2, 100);
      return [...extra, '-b', root, `${src}/`, join(tmp.path, `ret-${name}-dst`)];
    };
    const states = () => readdirSync(runs).filter((n) => /^[0-9a-f]{16}$/.test(n)).sort();
    expect((await runCli(cmd('old'))).code).toBe(0);
    const [old] = states();
    // a failed run of another command (DST holds a directory of the user's where SRC has a
    // file): kept however old it is
    const failDst = join(tmp.path, 'ret-fail-dst');
    mkdirSync(join(failDst, 'file-01.bin'), { recursive: true });
    writeFileSync(join(failDst, 'file-01.bin', 'user-data'), 'x');
    const failing = await runCli(['-b', root, '--retries', '0', `${join(tmp.path, 'ret-old')}/`, failDst]);
    expect(failing.code).toBe(1);
    const failed = states().find((n) => n !== old)!;
    // 40 days pass
    const then = Date.now() / 1000 - 40 * 24 * 3600;
    for (const d of [old, failed]) for (const f of readdirSync(join(runs, d))) utimesSync(join(runs, d, f), then, then);
    utimesSync(join(runs, '.pruned'), then, then);
    expect((await runCli(cmd('new', ['--state-days', '0']))).code).toBe(0);
    expect(states()).toContain(old);
    expect((await runCli(cmd('new'))).code).toBe(0);
    expect(states()).not.toContain(old);
    expect(states()).toContain(failed);
    expect(states()).toHaveLength(2);
    // what was copied is untouched
    expect(readdirSync(join(tmp.path, 'ret-old-dst')).sort()).toEqual(['file-00.bin', 'file-01.bin']);
    expect((await runCli(['--state-days', 'x', 's', 'd'])).stderr).toMatch(/^multisync: invalid --state-days 'x'/);
  });
});

describe('failures: split, failed paths, --retry-failed, status', () => {
  test('a failing bucket is split until the bad path is isolated; the rest lands; --retry-failed runs only it', async () => {
    const src = join(tmp.path, 'split-src');
    const dst = join(tmp.path, 'split-dst');
    bigFiles(src, 8, 100);
    // rsync compares mtimes to the second: a run within SRC's own second would leave DST's root
    // with its sub-second time (rsync's rule, not a multisync bug), so SRC gets an old mtime
    utimesSync(src, 1_500_000_000, 1_500_000_000);
    mkdirSync(join(dst, 'file-05.bin'), { recursive: true });
    writeFileSync(join(dst, 'file-05.bin', 'user-data'), 'x');
    const state = join(tmp.path, 'split-state');
    const r = await runCli(['--json', '--state', state, '-f', '8', '--retries', '1', `${src}/`, dst]);
    expect(r.code).toBe(1);
    const ev = jsonEvents(r.stdout);
    expect(ev.some((e) => e.type === 'bucket-split')).toBe(true);
    const failed = ev.filter((e) => e.type === 'bucket-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].files).toBe(1);
    expect(readFileSync(join(state, 'failed-0.list'), 'latin1')).toBe('file-05.bin\0');
    expect(readFileSync(join(state, 'failed.txt'), 'utf8')).toMatch(/file-05\.bin/);
    for (const i of [0, 1, 2, 3, 4, 6, 7]) expect(existsSync(join(dst, `file-0${i}.bin`))).toBe(true);
    expect(r.stderr).toMatch(/in failed bucket: file-05\.bin/);

    const status = await runCli(['status', '--state', state]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/finished with exit 1/);
    expect(status.stdout).toMatch(/failed\s+1 paths/);

    rmSync(join(dst, 'file-05.bin'), { recursive: true });
    const retry = await runCli(['--json', '--state', state, '--retry-failed', '-f', '8', `${src}/`, dst]);
    expect(retry.code).toBe(0);
    const done = jsonEvents(retry.stdout).filter((e) => e.type === 'bucket-done');
    expect(done.reduce((n, e) => n + e.files, 0)).toBe(1);
    await expectSameTrees(src, dst);
  });

  test('--state of a different command is refused (exit 2, nothing written)', async () => {
    const state = join(tmp.path, 'split-state');
    const other = join(tmp.path, 'other-dst');
    const r = await runCli(['--state', state, `${join(tmp.path, 'split-src')}/`, other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/belongs to a different command/);
    expect(existsSync(other)).toBe(false);
  });

  const root = process.getuid?.() === 0;
  test.skipIf(!root)('a full destination: exit 1 within seconds, "no space", no retry storm', async () => {
    const src = join(tmp.path, 'full-src');
    const dst = join(tmp.path, 'full-dst');
    bigFiles(src, 6, 1024 * 1024);
    mkdirSync(dst);
    expect(Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dst]).exitCode).toBe(0);
    try {
      const t0 = Date.now();
      const r = await runCli(['--json', '-p', '2', '-f', '1', `${src}/`, dst]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no space/i);
      const sum = jsonEvents(r.stdout).pop()!;
      expect(sum.failedBuckets).toBeGreaterThanOrEqual(1);
      expect(jsonEvents(r.stdout).filter((e) => e.type === 'bucket-retry')).toHaveLength(0);
      expect(Date.now() - t0).toBeLessThan(60_000); // a bound, not a timing target
    } finally {
      Bun.spawnSync(['umount', dst]);
    }
  });
});
