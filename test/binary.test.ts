// The single binary: built once with scripts/build-binary.ts, copied ALONE into an empty
// directory and run with a bare environment (`env -i PATH=/usr/bin:/bin`): no node_modules,
// no sources, no Bun. It must copy an odd-names tree faithfully, run its selftest, and start
// the TUI in a pseudo-terminal.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeOddTree } from '../src/engine/odd-tree.ts';
import { compareTrees, formatDifferences } from '../src/engine/tree-compare.ts';
import { startInPty } from './pty-helper.ts';
import { summaryOf } from './e2e/helpers.ts';

const ROOT = resolve(import.meta.dir, '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const BARE_PATH = '/usr/bin:/bin';

let work: string;
let host: string; // the "air-gapped host": an empty directory holding only the binary
let bin: string;

/** Runs the copied binary with nothing but PATH in its environment. */
function runBare(args: string[], o: { cwd?: string; path?: string; env?: Record<string, string> } = {}) {
  // (the state root of this test process, not the user's: test/preload.ts)
  const extra = Object.entries({ XDG_STATE_HOME: process.env.XDG_STATE_HOME ?? '', ...o.env }).map(([k, v]) => `${k}=${v}`);
  const r = spawnSync('/usr/bin/env', ['-i', `PATH=${o.path ?? BARE_PATH}`, ...extra, bin, ...args], {
    cwd: o.cwd ?? host,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'multisync-binary-test-'));
  const build = join(work, 'build');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build-binary.ts'), '--outfile', join(build, 'multisync'), '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build failed (${r.status}): ${r.stderr}${r.stdout}`);
  host = join(work, 'host');
  mkdirSync(host);
  copyFileSync(join(build, 'multisync'), join(host, 'multisync'));
  copyFileSync(join(build, 'multisync.sha256'), join(host, 'multisync.sha256'));
  spawnSync('chmod', ['755', join(host, 'multisync')]);
  bin = join(host, 'multisync');
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('single binary', () => {
  test('the checksum file verifies with sha256sum -c next to the binary', () => {
    const r = spawnSync('/usr/bin/env', ['-i', `PATH=${BARE_PATH}`, 'sha256sum', '-c', 'multisync.sha256'], { cwd: host, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('multisync: OK');
    expect(r.status).toBe(0);
    expect(readFileSync(join(host, 'multisync.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}multisync\n$/);
  });

  test('--version prints the version from package.json; --help works', () => {
    const v = runBare(['--version']);
    expect(v.stderr).toBe('');
    expect(v.stdout).toBe(`multisync ${VERSION}\n`);
    expect(v.code).toBe(0);
    const h = runBare(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain(`multisync ${VERSION}`);
    expect(h.stdout).toContain('usage: multisync');
  });

  test('DEV=true (Ink devtools) and a .env or bunfig.toml in the working directory change nothing', () => {
    const cwd = join(work, 'cwd-with-dotfiles');
    mkdirSync(cwd);
    writeFileSync(join(cwd, '.env'), 'MULTISYNC_RSYNC=/nonexistent/rsync\n');
    writeFileSync(join(cwd, 'bunfig.toml'), 'preload = ["./nonexistent.ts"]\n');
    const r = runBare(['--version'], { cwd, env: { DEV: 'true' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`multisync ${VERSION}\n`);
    expect(r.code).toBe(0);
    // the .env's MULTISYNC_RSYNC is not loaded: a real copy still finds rsync
    mkdirSync(join(cwd, 'src'));
    writeFileSync(join(cwd, 'src', 'f'), 'x\n');
    const c = runBare(['--headless', 'src/', 'dst'], { cwd, env: { DEV: 'true' } });
    expect(c.stderr).not.toContain('rsync not found');
    expect(c.code).toBe(0);
    expect(readFileSync(join(cwd, 'dst', 'f'), 'utf8')).toBe('x\n');
  });

  test('copies an odd-names tree faithfully with a bare environment', async () => {
    const dir = join(work, 'odd');
    await makeOddTree(join(dir, 'src'), { sparseSize: 4 * 1024 * 1024, deep: 40 });
    const r = runBare(['--headless', '-p', '4', '-f', '16', `${dir}/src/`, `${dir}/dst`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^multisync: ok:/m);
    const diffs = await compareTrees(join(dir, 'src'), join(dir, 'dst'));
    expect(formatDifferences(diffs)).toBe('no differences');
    // -aH, `src` form: hard links stay hard links
    const h = runBare(['--headless', '-p', '2', '-f', '8', '-r', '-aSH --numeric-ids', `${dir}/src`, `${dir}/dst-h`]);
    expect(h.code).toBe(0);
    const hd = await compareTrees(join(dir, 'src'), join(dir, 'dst-h', 'src'), { hardlinks: true });
    expect(formatDifferences(hd)).toBe('no differences');
  });


  test('the crawl reader threads (their code is function source text) work in the binary', async () => {
    const dir = join(work, 'odd-threads');
    await makeOddTree(join(dir, 'src'), { sparseSize: 1024 * 1024, deep: 12 });
    const env = { MULTISYNC_CRAWL_POOL: 'force' };
    const first = runBare(['--headless', '-p', '3', `${dir}/src/`, `${dir}/dst`], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(formatDifferences(await compareTrees(join(dir, 'src'), join(dir, 'dst')))).toBe('no differences');
    // a re-run: every entry checked against DST in the threads, nothing left to copy
    const again = runBare(['--json', '-p', '3', `${dir}/src/`, `${dir}/dst`], { env });
    expect(again.code).toBe(0);
    const summary = summaryOf(again.stdout);
    expect(summary.filesTransferred).toBe(0);
    expect(summary.filesUnchanged).toBe(summary.filesTotal);
  });
  test('needs nothing on PATH but rsync', async () => {
    const only = join(work, 'only-rsync');
    mkdirSync(only);
    const rsync = BARE_PATH.split(':').map((d) => join(d, 'rsync')).find((p) => existsSync(p));
    if (!rsync) throw new Error(`no rsync on ${BARE_PATH}`);
    symlinkSync(rsync, join(only, 'rsync'));
    const dir = join(work, 'only');
    await makeOddTree(join(dir, 'src'), { sparseSize: 1024 * 1024, deep: 5 });
    const r = runBare(['--headless', '-p', '3', '-f', '10', `${dir}/src/`, `${dir}/dst`], { path: only });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(formatDifferences(await compareTrees(join(dir, 'src'), join(dir, 'dst')))).toBe('no differences');
  });

  test('selftest passes from the binary', () => {
    const r = runBare(['selftest']);
    expect(r.stdout).toMatch(/^PASS {2}copy src\/ -p 4:/m);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.stdout).not.toContain('FAIL');
    expect(r.code).toBe(0);
  });

  test('starts the TUI in a pseudo-terminal and completes the copy', async () => {
    const dir = join(work, 'tui');
    await makeOddTree(join(dir, 'src'), { sparseSize: 1024 * 1024, deep: 10 });
    const pty = startInPty(['/usr/bin/env', '-i', `PATH=${BARE_PATH}`, 'TERM=xterm-256color', `XDG_STATE_HOME=${process.env.XDG_STATE_HOME}`, bin, '--stats', '-p', '3', '-f', '10', 'src/', 'dst'], { cwd: dir });
    try {
      const code = await pty.exited(90_000);
      const screen = pty.screen();
      expect(screen).toMatch(/multisync:|statistics/i);
      expect(screen).not.toMatch(/internal error|error:/i);
      expect(code).toBe(0);
    } finally {
      pty.close();
    }
    expect(existsSync(join(dir, 'dst'))).toBe(true);
    expect(formatDifferences(await compareTrees(join(dir, 'src'), join(dir, 'dst')))).toBe('no differences');
  });
});
