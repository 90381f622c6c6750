// `multisync selftest`: every check passes on a sane host, and — unlike msrsync's — it fails
// when rsync is missing or when the copies are not faithful.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '..');
const CLI = join(ROOT, 'src/cli.ts');

let work: string;

function selftest(args: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'selftest', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempDirOf = (stdout: string) => /^selftest directory: (.+?)( \(kept\))?$/m.exec(stdout)?.[1];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'multisync-selftest-test-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('multisync selftest', () => {
  test('passes every check, prints each one, and cleans up', () => {
    const r = selftest();
    expect(r.stderr).toBe('');
    const checks = r.stdout.split('\n').filter((l) => /^(PASS|FAIL) {2}/.test(l));
    expect(checks.map((l) => l.slice(0, 4))).toEqual(checks.map(() => 'PASS'));
    const text = r.stdout;
    for (const name of [
      'rsync',
      'test tree',
      'copy src/ -p 1',
      'copy src/ -p 2',
      'copy src/ -p 4',
      'copy src (no slash) -p 2',
      'copy src/ -aH -p 4 (hard links)',
      'hard links across directories share one inode in DST',
      'comparison detects a corrupted copy',
    ]) {
      expect(text).toContain(`PASS  ${name}: `);
    }
    // several buckets per copy: the split is exercised
    const buckets = [...text.matchAll(/ in (\d+) buckets with/g)].map((m) => Number(m[1]));
    expect(buckets.length).toBe(5);
    for (const b of buckets) expect(b).toBeGreaterThan(3);
    expect(text).toMatch(new RegExp(`^${checks.length} passed, 0 failed$`, 'm'));
    expect(r.code).toBe(0);
    const dir = tempDirOf(text);
    expect(dir).toBeTruthy();
    expect(existsSync(dir!)).toBe(false);
  });

  test('DIR puts the temp tree on the filesystem to test; --keep keeps it', () => {
    const parent = join(work, 'target-fs');
    spawnSync('mkdir', [parent]);
    const userState = join(process.env.XDG_STATE_HOME!, 'multisync');
    const before = existsSync(userState) ? readdirSync(userState).length : 0;
    const r = selftest(['--keep', parent]);
    expect(r.code).toBe(0);
    const dir = tempDirOf(r.stdout)!;
    expect(dir.startsWith(`${parent}/multisync-selftest-`)).toBe(true);
    // its runs' state (journals, logs) is in its own directory, kept with it: none in the user's
    expect(readdirSync(dir).sort()).toEqual(['dst-1', 'dst-2', 'dst-4', 'dst-hardlinks', 'dst-noslash', 'src', 'state']);
    expect(existsSync(userState) ? readdirSync(userState).length : 0).toBe(before);
  });

  test('fails (exit 1) when rsync is missing', () => {
    const r = selftest([], { MULTISYNC_RSYNC: join(work, 'no-such-rsync') });
    expect(r.stdout).toMatch(/^FAIL {2}rsync: rsync not found/m);
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
    expect(r.code).toBe(1);
  });

  test('fails (exit 1) when the copies are not faithful: the comparison is real', () => {
    // an rsync that silently skips one file and exits 0
    const liar = join(work, 'lying-rsync');
    writeFileSync(liar, '#!/bin/sh\nexec rsync --exclude=medium "$@"\n');
    chmodSync(liar, 0o755);
    const r = selftest([], { MULTISYNC_RSYNC: liar });
    expect(r.stdout).toMatch(/^PASS {2}rsync: /m);
    for (const p of [1, 2, 4]) expect(r.stdout).toMatch(new RegExp(`^FAIL  copy src/ -p ${p}: `, 'm'));
    expect(r.stdout).toContain('sizes/medium: missing');
    expect(r.stdout).toMatch(/^\d+ passed, [1-9]\d* failed$/m);
    expect(r.stdout).not.toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.code).toBe(1);
    const dir = tempDirOf(r.stdout);
    expect(existsSync(dir!)).toBe(false);
  });

  test('usage errors exit 2', () => {
    expect(selftest([join(work, 'does-not-exist')]).code).toBe(2);
    expect(selftest(['a', 'b']).code).toBe(2);
  });
});
