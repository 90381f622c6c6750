// multisync under Deno (`deno run -A src/cli.ts`, deno from the npm devDependency, over the same
// node_modules): version, a real headless copy compared with the source, the TUI in a
// pseudo-terminal, and the one known limitation: Deno's node:fs cannot represent non-UTF-8
// names, so the crawler must report them as errors (exit 1) instead of mangling them.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeOddTree } from '../src/engine/odd-tree.ts';
import { compareTrees, formatDifferences } from '../src/engine/tree-compare.ts';
import { startInPty } from './pty-helper.ts';

const ROOT = resolve(import.meta.dir, '..');
const DENO = join(ROOT, 'node_modules/.bin/deno');
const CLI = join(ROOT, 'src/cli.ts');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;

function deno(args: string[], o: { cwd?: string } = {}) {
  const r = spawnSync(DENO, ['run', '-A', CLI, ...args], {
    cwd: o.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', MULTISYNC_BACKOFF_MS: '50' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const isUtf8 = (name: Buffer) => Buffer.from(name.toString('utf8')).equals(name);

/**
 * Removes every entry whose name is not valid UTF-8 (Deno cannot crawl those), then puts the
 * directory's old mtime back: rsync leaves a directory mtime in the same second as the copy
 * untouched, so a freshly changed source directory would not compare equal.
 */
function pruneNonUtf8(dir: Buffer): number {
  const st = lstatSync(dir);
  let n = 0;
  for (const name of readdirSync(dir, { encoding: 'buffer' })) {
    const path = Buffer.concat([dir, Buffer.from('/'), name]);
    if (!isUtf8(name)) {
      rmSync(path, { recursive: true, force: true });
      n++;
      continue;
    }
    if (lstatSync(path).isDirectory()) n += pruneNonUtf8(path);
  }
  utimesSync(dir, st.atime, st.mtime);
  return n;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'multisync-deno-test-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('under Deno', () => {
  test('deno comes from node_modules and prints the version from package.json', () => {
    const r = deno(['--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`multisync ${VERSION}\n`);
    expect(r.code).toBe(0);
  });

  test('a headless copy of an odd-names tree (without non-UTF-8 names) is faithful', async () => {
    const dir = join(work, 'copy');
    await makeOddTree(join(dir, 'src'), { sparseSize: 2 * 1024 * 1024, deep: 20 });
    pruneNonUtf8(Buffer.from(join(dir, 'src')));
    const r = deno(['--headless', '-p', '3', '-f', '8', `${dir}/src/`, `${dir}/dst`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^multisync: ok:/m);
    expect(r.code).toBe(0);
    expect(formatDifferences(await compareTrees(join(dir, 'src'), join(dir, 'dst')))).toBe('no differences');
    // `src` form with -aH and JSON events
    const j = deno(['--json', '-p', '2', '-f', '8', '-r', '-aSH --numeric-ids', `${dir}/src`, `${dir}/dst-h`]);
    expect(j.code).toBe(0);
    const events = j.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { type: string; status?: string });
    expect(events.at(-1)?.type).toBe('summary');
    expect(events.at(-1)?.status).toBe('ok');
    const hd = await compareTrees(join(dir, 'src'), join(dir, 'dst-h', 'src'), { hardlinks: true });
    expect(formatDifferences(hd)).toBe('no differences');
  });

  test('a non-UTF-8 name is reported as an error (exit 1), not silently mangled', () => {
    const dir = join(work, 'raw');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'fine.txt'), 'fine\n');
    writeFileSync(Buffer.from(`${dir}/src/bad\xff`, 'latin1'), 'raw\n');
    const r = deno(['--headless', '-p', '2', '-b', `${dir}/buckets`, `${dir}/src/`, `${dir}/dst`]);
    expect(r.stderr).toContain('not valid UTF-8');
    expect(r.stderr).not.toContain('vanished');
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, 'dst', 'fine.txt'), 'utf8')).toBe('fine\n');
  });

  test('the TUI starts in a pseudo-terminal and completes the copy', async () => {
    const dir = join(work, 'tui');
    await makeOddTree(join(dir, 'src'), { sparseSize: 1024 * 1024, deep: 10 });
    pruneNonUtf8(Buffer.from(join(dir, 'src')));
    const pty = startInPty(['/usr/bin/env', 'TERM=xterm-256color', DENO, 'run', '-A', CLI, '--stats', '-p', '3', '-f', '10', 'src/', 'dst'], { cwd: dir });
    try {
      const code = await pty.exited(90_000);
      const screen = pty.screen();
      expect(screen).toMatch(/multisync:|statistics/i);
      expect(screen).not.toMatch(/internal error|error:/i);
      expect(code).toBe(0);
    } finally {
      pty.close();
    }
    expect(formatDifferences(await compareTrees(join(dir, 'src'), join(dir, 'dst')))).toBe('no differences');
  });

  test('selftest passes under Deno', () => {
    const r = deno(['selftest']);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.code).toBe(0);
  });
});
