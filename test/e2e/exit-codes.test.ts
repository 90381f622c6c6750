// Honest exit codes: 2 for usage/pre-flight errors with nothing written, 1 for failed buckets
// (their paths on stderr), 130 on SIGINT/SIGTERM with no rsync left behind.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSmallFilesTree } from '../../src/engine/odd-tree.ts';
import { CLI, jsonEvents, ROOT, rsyncPids, runCli, startCli, STATE_HOME, tempDir, waitFor } from './helpers.ts';
import { expectSameTrees } from '../trees.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');

beforeAll(async () => {
  await makeSmallFilesTree(src, { files: 50, dirs: 3, minSize: 10, maxSize: 100, seed: 1 });
});
afterAll(() => tmp.cleanup());

describe('usage and pre-flight errors: exit 2, one line, nothing written', () => {
  const dst = () => join(tmp.path, 'never');
  const cases: Array<[string, () => string[], RegExp, Record<string, string>?]> = [
    ['-p 0', () => ['-p', '0', `${src}/`, dst()], /process count/],
    ['-p abc', () => ['-p', 'abc', `${src}/`, dst()], /process count/],
    ['-f 0', () => ['-f', '0', `${src}/`, dst()], /entries per bucket/],
    ['-s 10KK', () => ['-s', '10KK', `${src}/`, dst()], /invalid size/],
    ['-s 10Q', () => ['-s', '10Q', `${src}/`, dst()], /invalid size/],
    ['-s abc', () => ['-s', 'abc', `${src}/`, dst()], /invalid size/],
    ['-s 0', () => ['-s', '0', `${src}/`, dst()], /invalid size/],
    ['unknown flag', () => ['--frobnicate', `${src}/`, dst()], /unknown option --frobnicate/],
    ['no arguments', () => [], /missing SRC and DST/],
    ['missing DST', () => [`${src}/`], /missing DST/],
    ['SRC missing', () => [join(tmp.path, 'nope/'), dst()], /source not found/],
    ['DST inside SRC', () => [`${src}/`, join(src, 'inside')], /inside source/],
    ['DST equals SRC', () => [`${src}/`, src], /inside source/],
    ['DST parent missing', () => [`${src}/`, join(tmp.path, 'no/such/dir')], /parent directory does not exist/],
    ['rsync rejects OPTS', () => ['-r', '-a --no-such-rsync-option', `${src}/`, dst()], /rsync rejected the options/],
    ['unterminated quote in OPTS', () => ['-r', "-a --exclude='x", `${src}/`, dst()], /unterminated/],
    ['managed rsync option', () => ['-r', '-a --files-from=x', `${src}/`, dst()], /managed by multisync/],
    ['empty remote shell (-e)', () => ['-e', '', `${src}/`, dst()], /the remote shell \(-e\) is empty/],
    ['unterminated quote in -e', () => ['-e', 'ssh -o "x', `${src}/`, dst()], /unterminated " quote in the remote shell \(-e\)/],
    ['rsync not installed', () => [`${src}/`, dst()], /rsync not found.*install/, { MULTISYNC_RSYNC: join(tmp.path, 'no-rsync-here') }],
  ];
  for (const [name, args, message, env] of cases) {
    test(name, async () => {
      const r = await runCli(args(), { env });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^multisync: /);
      expect(lines[0]).toMatch(message);
      expect(existsSync(dst())).toBe(false);
      expect(existsSync(join(src, 'inside'))).toBe(false);
    });
  }
});

describe('runtime failures', () => {
  test('a bucket that keeps failing: exit 1, its paths on stderr, the rest transferred', async () => {
    const s = join(tmp.path, 'clash-src');
    const d = join(tmp.path, 'clash-dst');
    mkdirSync(join(s, 'a'), { recursive: true });
    mkdirSync(join(s, 'b'), { recursive: true });
    writeFileSync(join(s, 'a', 'clash'), 'file in SRC');
    writeFileSync(join(s, 'b', 'fine'), 'ok');
    // DST has a non-empty directory where SRC has a file: rsync cannot replace it (exit 23)
    mkdirSync(join(d, 'a', 'clash'), { recursive: true });
    writeFileSync(join(d, 'a', 'clash', 'keep-me'), 'user data');
    const r = await runCli(['--json', '-f', '1', '--retries', '1', `${s}/`, d]);
    expect(r.code).toBe(1);
    const ev = jsonEvents(r.stdout);
    const failed = ev.filter((e) => e.type === 'bucket-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ exitCode: 23, files: 1 });
    expect(failed[0].error).toMatch(/clash/);
    expect(ev.some((e) => e.type === 'bucket-retry')).toBe(true);
    expect(ev[ev.length - 1]).toMatchObject({ type: 'summary', failedBuckets: 1, exitCode: 1 });
    expect(r.stderr).toMatch(/in failed bucket: a\/clash/);
    expect(readdirSync(join(d, 'b'))).toEqual(['fine']);
    expect(existsSync(join(d, 'a', 'clash', 'keep-me'))).toBe(true);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    test(`${sig} stops every rsync and exits 130`, async () => {
      const s = join(tmp.path, `slow-${sig}`);
      const d = join(tmp.path, `slow-dst-${sig}`);
      mkdirSync(s);
      for (let i = 0; i < 4; i++) writeFileSync(join(s, `big${i}`), Buffer.alloc(8 * 1024 * 1024, i));
      const run = startCli(['--json', '-p', '2', '-f', '1', '-r', '-a --bwlimit=200', `${s}/`, d]);
      await waitFor(() => rsyncPids(d).length >= 2, 'two rsyncs running');
      run.proc.kill(sig);
      const code = await run.done();
      expect(code).toBe(130);
      expect(rsyncPids(d)).toEqual([]);
      const ev = jsonEvents(run.lines);
      expect(ev[ev.length - 1]).toMatchObject({ type: 'summary', status: 'cancelled', exitCode: 130 });
    });
  }
});

describe('a reader that goes away (`multisync --json … | head -1`)', () => {
  test('the copy still completes and exits 0, with no error on stderr', async () => {
    const src = join(tmp.path, 'epipe-src');
    await makeSmallFilesTree(src, { files: 200, dirs: 4, seed: 5 });
    const dst = join(tmp.path, 'epipe-dst');
    // stdout is a pipe whose read end is closed after the first line: every later write gets EPIPE
    const proc = Bun.spawn([process.execPath, CLI, '--json', '-P', '-p', '2', '-f', '20', `${src}/`, dst], {
      cwd: ROOT,
      env: { ...process.env, XDG_STATE_HOME: STATE_HOME },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const reader = proc.stdout.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"type":"start"');
    await reader.cancel();
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(stderr).not.toMatch(/EPIPE|error/i);
    expect(code).toBe(0);
    await expectSameTrees(src, dst);
  });
});
