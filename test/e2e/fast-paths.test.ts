// The paths that make multisync cheap where one rsync is cheap: whole directories and names as
// rsync arguments, no directory pass on a no-op re-run, and the tail reported in the summary.
// Trees are compared for real; timing is never asserted here (that is bench/'s job).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSmallFilesTree } from '../../src/engine/small-files-tree.ts';
import { finalizesOf as finalizes, jsonEvents, runCli, summaryOf as summary, tempDir } from './helpers.ts';
import { expectSameTrees } from '../trees.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');
afterAll(() => tmp.cleanup());

beforeAll(async () => {
  await makeSmallFilesTree(src, { files: 600 });
  // a few directories with odd names, one deep, one empty
  for (const d of ['-dash/sub', '#hash', 'deep/a/b/c/d', 'empty', 'sp ace']) mkdirSync(join(src, d), { recursive: true });
  for (const f of ['-dash/sub/x', '#hash/y', 'deep/a/b/c/d/z', 'sp ace/w']) writeFileSync(join(src, f), f);
  const old = 1_500_000_000;
  for (const d of ['-dash/sub', '-dash', '#hash', 'deep/a/b/c/d', 'deep/a/b/c', 'deep/a/b', 'deep/a', 'deep', 'empty', 'sp ace', '.']) utimesSync(join(src, d), old, old);
});


describe('a copy, then a no-op re-run', () => {
  for (const p of [1, 4]) {
    test(`-p ${p}: identical tree; the re-run changes nothing and needs no directory pass`, async () => {
      const dst = join(tmp.path, `dst-${p}`);
      const first = await runCli(['--json', '-p', String(p), `${src}/`, dst]);
      expect(first.code).toBe(0);
      expect(finalizes(first.stdout)).toHaveLength(1);
      expect(summary(first.stdout)).toMatchObject({ status: 'ok', filesTotal: 600 + 5, tailMs: expect.any(Number) });
      await expectSameTrees(src, dst);

      const again = await runCli(['--json', '-p', String(p), `${src}/`, dst]);
      expect(again.code).toBe(0);
      expect(summary(again.stdout)).toMatchObject({ status: 'ok', filesTransferred: 0 });
      expect(finalizes(again.stdout)).toHaveLength(0);
      await expectSameTrees(src, dst);
    });
  }

  // (the directory pass is started ahead when the tail begins, warm-pass.ts: never for a run
  // without buckets, where it would only be started and stopped again)
  test('a no-op re-run starts no rsync at all: no bucket, and no directory pass ahead', async () => {
    const dst = join(tmp.path, 'dst-noop-rsyncs');
    expect((await runCli(['-p', '4', `${src}/`, dst])).code).toBe(0);
    // every rsync the re-run starts is logged by a stand-in first on PATH, then run for real
    const bin = join(tmp.path, 'logging-rsync');
    const log = join(tmp.path, 'rsync-calls.log');
    mkdirSync(bin, { recursive: true });
    writeFileSync(log, '');
    writeFileSync(join(bin, 'rsync'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec /usr/bin/rsync "$@"\n`, { mode: 0o755 });
    const again = await runCli(['--json', '-p', '4', `${src}/`, dst], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(again.code).toBe(0);
    expect(summary(again.stdout)).toMatchObject({ status: 'ok', buckets: 0, filesTransferred: 0 });
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(calls.filter((c) => c !== '--version')).toEqual([]);
    await expectSameTrees(src, dst);
  });

  test("a re-run after DST's own mtime changed runs the directory pass and restores it", async () => {
    const dst = join(tmp.path, 'dst-root');
    expect((await runCli(['-p', '2', `${src}/`, dst])).code).toBe(0);
    utimesSync(dst, 1_600_000_000, 1_600_000_000);
    const again = await runCli(['--json', '-p', '2', `${src}/`, dst]);
    expect(again.code).toBe(0);
    expect(finalizes(again.stdout)).toHaveLength(1);
    await expectSameTrees(src, dst);
  });

  test('a small tree is one bucket, one rsync, whatever -p says', async () => {
    const small = join(tmp.path, 'small-src');
    mkdirSync(join(small, 'sub'), { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(small, i % 2 ? `f${i}` : `sub/f${i}`), `file ${i}\n`.repeat(i + 1));
    const dst = join(tmp.path, 'dst-small');
    const r = await runCli(['--json', '-p', '4', `${small}/`, dst]);
    expect(r.code).toBe(0);
    expect(summary(r.stdout)).toMatchObject({ buckets: 1, filesTotal: 20 });
    await expectSameTrees(small, dst);
  });

  test('a directory whose mtime is off within the same second is set exactly when the pass runs', async () => {
    const dst = join(tmp.path, 'dst-nsec');
    expect((await runCli(['-p', '2', `${src}/`, dst])).code).toBe(0);
    // 0.8 s off its source's (same second: rsync's default window leaves it), and a change elsewhere so that the pass runs
    utimesSync(join(dst, 'sp ace'), 1_500_000_000.8, 1_500_000_000.8);
    writeFileSync(join(dst, 'deep/a/b/c/d/z'), 'changed in DST');
    const again = await runCli(['--json', '-p', '2', `${src}/`, dst]);
    expect(again.code).toBe(0);
    expect(finalizes(again.stdout)).toHaveLength(1);
    await expectSameTrees(src, dst);
  });

  test('a changed file deep down: the re-run transfers it and fixes the directories it touched', async () => {
    const dst = join(tmp.path, 'dst-deep');
    expect((await runCli(['-p', '3', `${src}/`, dst])).code).toBe(0);
    writeFileSync(join(dst, 'deep/a/b/c/d/z'), 'changed in DST');
    const again = await runCli(['--json', '-p', '3', `${src}/`, dst]);
    expect(again.code).toBe(0);
    expect(summary(again.stdout)).toMatchObject({ filesTransferred: 1 });
    await expectSameTrees(src, dst);
  });

  test('without recursion in the options (-lptgoD) directories are created, never descended into', async () => {
    const dst = join(tmp.path, 'dst-norec');
    const ms = await runCli(['-p', '2', '--rsync', '-lptgoD', `${src}/`, dst]);
    expect(ms.code).toBe(0);
    // every entry is listed on its own, so the tree is complete (each file named)
    await expectSameTrees(src, dst);
  });
});

describe('a failing bucket that names a whole directory', () => {
  test('is opened up when split: the failing path is isolated, its siblings land', async () => {
    const s = join(tmp.path, 'whole-src');
    const d = join(tmp.path, 'whole-dst');
    mkdirSync(join(s, 'a/deeper'), { recursive: true });
    for (const f of ['clash', 'ok1', 'ok2', 'deeper/ok3']) writeFileSync(join(s, 'a', f), f);
    // DST has a non-empty directory where SRC has a file: rsync cannot replace it (exit 23)
    mkdirSync(join(d, 'a/clash'), { recursive: true });
    writeFileSync(join(d, 'a/clash/keep-me'), 'user data');
    const state = join(tmp.path, 'whole-state');
    const r = await runCli(['--json', '-p', '1', '--state', state, '--retries', '0', `${s}/`, d]);
    expect(r.code).toBe(1);
    const ev = jsonEvents(r.stdout);
    expect(ev.some((e) => e.type === 'bucket-split')).toBe(true);
    expect(r.stderr).toMatch(/in failed bucket: a\/clash/);
    expect(readFileSync(join(state, 'failed-0.list'), 'latin1')).toBe('a/clash\0');
    for (const f of ['ok1', 'ok2', 'deeper/ok3']) expect(readFileSync(join(d, 'a', f), 'utf8')).toBe(f);
    expect(existsSync(join(d, 'a/clash/keep-me'))).toBe(true);
  });
});
