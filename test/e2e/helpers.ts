// Helpers for end-to-end tests: run the real CLI (with real rsync) and wait on conditions.
import { lstatSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'bun:test';
import { compareTrees, formatDifferences, type Difference } from '../../src/engine/tree-compare.ts';
import { expectSameTrees, rsyncRef } from '../trees.ts';

export const ROOT = resolve(import.meta.dir, '../..');
export const CLI = join(ROOT, 'src/cli.ts');

/** Every CLI run of this test process keeps its state (journals) here, not in $HOME. */
export const STATE_HOME = mkdtempSync(join(tmpdir(), 'multisync-state-'));
process.on('exit', () => rmSync(STATE_HOME, { recursive: true, force: true }));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, XDG_STATE_HOME: STATE_HOME, MULTISYNC_BACKOFF_MS: '50', ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Starts the CLI without waiting; lines of stdout are collected as they arrive. */
export function startCli(args: string[], opts: { env?: Record<string, string> } = {}) {
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, XDG_STATE_HOME: STATE_HOME, MULTISYNC_BACKOFF_MS: '50', ...opts.env },
    stdout: 'pipe',
    stderr: 'pipe',
    stdin: 'ignore',
  });
  const lines: string[] = [];
  let stderr = '';
  const reading = (async () => {
    const dec = new TextDecoder();
    let rest = '';
    for await (const chunk of proc.stdout) {
      const parts = (rest + dec.decode(chunk, { stream: true })).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    }
    if (rest) lines.push(rest);
  })();
  const readingErr = new Response(proc.stderr).text().then((t) => (stderr = t));
  return {
    proc,
    lines,
    get stderr() {
      return stderr;
    },
    async done() {
      const code = await proc.exited;
      await reading;
      await readingErr;
      return code;
    },
  };
}

export function tempDir(prefix = 'multisync-test-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls `cond` until true; fails after `timeoutMs` (a bound, not a sleep). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function jsonEvents(stdout: string | string[]): Array<Record<string, any>> {
  const lines = Array.isArray(stdout) ? stdout : stdout.split('\n');
  return lines.filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** A --json run's summary event. */
export const summaryOf = (stdout: string) => jsonEvents(stdout).find((e) => e.type === 'summary')!;

/** A --json run's directory-pass events (none when it left the pass out). */
export const finalizesOf = (stdout: string) => jsonEvents(stdout).filter((e) => e.type === 'finalize');

/**
 * A no-op re-run's --json output: every entry (at least `atLeast`) found unchanged by the
 * destination check, no bucket, nothing transferred, no directory pass; and DST equals `src`.
 */
/**
 * A re-run after changes (--json output `stdout`) left DST `dst` as one `rsync -aS --numeric-ids
 * src/ ref/` leaves `ref` (the same changes made to both beforehand), and the destination check
 * found more than `atLeast` entries unchanged, not all of them.
 */
export async function expectAsOneRsync(stdout: string, src: string, ref: string, dst: string, atLeast: number): Promise<void> {
  rsyncRef(['-aS', '--numeric-ids', `${src}/`, `${ref}/`]);
  // One difference is rsync's, not multisync's: rsync sets a directory's time again after writing
  // into it only when the two differ in whole seconds, so one it wrote into within the same second
  // as SRC's time keeps the time of that write. multisync's directory pass sets it to the
  // nanosecond (dir-pass.ts): such a directory must then be SRC's exactly.
  const diffs = (await compareTrees(ref, dst, { hardlinks: true })).filter((d) => !rsyncSubSecond(d, src, ref, dst));
  if (diffs.length) throw new Error(`trees differ:\n${formatDifferences(diffs)}`);
  const s = summaryOf(stdout);
  expect(s.filesUnchanged).toBeGreaterThan(atLeast);
  expect(s.filesUnchanged).toBeLessThan(s.filesTotal);
}

/** `d` is a directory's mtime that one rsync left within SRC's second (`ref`) and multisync set to SRC's exactly (`dst`). */
function rsyncSubSecond(d: Difference, src: string, ref: string, dst: string): boolean {
  if (d.what !== 'mtime') return false;
  const at = (root: string) => {
    const st = lstatSync(d.path === '.' ? root : join(root, d.path), { bigint: true });
    return st.isDirectory() ? st.mtimeNs : null;
  };
  const [s, r, t] = [at(src), at(ref), at(dst)];
  return s !== null && r !== null && t === s && r / 1_000_000_000n === s / 1_000_000_000n;
}

export async function expectNoOp(stdout: string, src: string, dst: string, atLeast: number): Promise<void> {
  const s = summaryOf(stdout);
  expect(s).toMatchObject({ status: 'ok', buckets: 0, filesTransferred: 0, filesTotal: s.filesUnchanged });
  expect(s.filesUnchanged).toBeGreaterThan(atLeast);
  expect(finalizesOf(stdout)).toHaveLength(0);
  await expectSameTrees(src, dst, { hardlinks: true });
}

/** Writes root/rel (making its directories) and gives it this mtime (seconds). */
export function writeAt(root: string, rel: string, body: string, mtime: number): void {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, body);
  utimesSync(p, mtime, mtime);
}

/** PIDs of running processes whose command line contains `needle`. */
export function processesMatching(needle: string): number[] {
  const r = Bun.spawnSync(['pgrep', '-f', '--', needle]);
  return r.stdout
    .toString()
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** PIDs of running rsync processes whose command line mentions `needle` (not multisync itself). */
export function rsyncPids(needle: string): number[] {
  const r = Bun.spawnSync(['pgrep', '-f', '--', `^rsync .*${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`]);
  return r.stdout
    .toString()
    .split('\n')
    .filter(Boolean)
    .map(Number);
}
