// The real CLI in a pseudo-terminal (tmux) on a rate-limited copy: read the screen, press p,
// +, q, and check the screen, the rsync processes and the result.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareTrees } from '../../src/engine/tree-compare.ts';
import { startInPty, type PtyRun } from '../pty-helper.ts';
import { CLI, ROOT, rsyncPids, tempDir, waitFor } from './helpers.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');
let pty: PtyRun | null = null;
beforeAll(() => {
  mkdirSync(src);
  for (let i = 0; i < 12; i++) writeFileSync(join(src, `file-${String(i).padStart(2, '0')}.bin`), Buffer.alloc(1024 * 1024, i));
});
afterAll(() => {
  pty?.close();
  tmp.cleanup();
});

const stopped = (pid: number) => {
  try {
    return /\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // gone
  }
};

test('TUI: rows per rsync, p pauses (SIGSTOP) and resumes, + adds a process, q quits gracefully', async () => {
  const dst = join(tmp.path, 'dst');
  pty = startInPty([process.execPath, CLI, '-p', '2', '-f', '1', '-r', '-a --bwlimit=400', `${src}/`, dst], { cwd: ROOT, cols: 80, rows: 24 });
  const p = pty;
  await waitFor(() => /processes \(2\)/.test(p.screen()) && (p.screen().match(/file-\d\d\.bin/g)?.length ?? 0) >= 2, 'two worker rows');
  expect(p.screen()).toMatch(/B\/s/);
  for (const line of p.screen().split('\n')) expect(line.length).toBeLessThanOrEqual(80);

  // handshake: the app reads keys (raw mode is on) once '?' opens the help and closes it again
  let helped = false;
  for (let attempt = 0; attempt < 20 && !helped; attempt++) {
    p.keys('?');
    helped = await waitFor(() => /close this help/.test(p.screen()), 'help opened by ?', 3000).then(
      () => true,
      () => false,
    );
  }
  if (!helped) throw new Error(`the TUI never reacted to '?':\n${p.screen()}`);
  p.keys('?');
  await waitFor(() => !/close this help/.test(p.screen()), 'help closed');
  p.keys('p');
  await waitFor(() => /PAUSED/.test(p.screen()), 'PAUSED on screen').catch((e) => {
    throw new Error(`${e.message}\n${p.screen()}`);
  });
  const pids = rsyncPids(dst);
  expect(pids.length).toBeGreaterThanOrEqual(2);
  await waitFor(() => pids.every(stopped), 'rsyncs stopped');
  p.keys('p');
  await waitFor(() => !/PAUSED/.test(p.screen()), 'PAUSED gone');

  p.keys('+');
  await waitFor(() => /processes \(3\)/.test(p.screen()), 'three processes');
  await waitFor(() => /running 3/.test(p.screen()), 'three running');

  p.keys('q');
  await waitFor(() => /press q again/.test(p.screen()), 'graceful quit notice');
  const status = await p.exited(120_000);
  const screen = p.screen();
  // running buckets finished, the rest were left: an interrupted run, told honestly
  expect(status).toBe(130);
  expect(screen).toMatch(/multisync statistics/);
  expect(screen).toMatch(/Status\s+: CANCELLED/);
  expect(rsyncPids(dst)).toEqual([]);
  // what was copied is whole: every file in DST is identical to its source
  const diffs = await compareTrees(src, dst, { dirTimes: false });
  expect(diffs.every((d) => d.what === 'missing')).toBe(true);
  expect(diffs.length).toBeLessThan(12);
});

test('TUI: Ctrl-C (a key in raw mode) stops every rsync and exits 130', async () => {
  const dst = join(tmp.path, 'dst-ctrl-c');
  pty?.close();
  pty = startInPty([process.execPath, CLI, '-p', '2', '-f', '1', '-r', '-a --bwlimit=300', `${src}/`, dst], { cwd: ROOT, cols: 100, rows: 30 });
  const p = pty;
  await waitFor(() => rsyncPids(dst).length >= 2, 'rsyncs running');
  p.keys('C-c');
  expect(await p.exited()).toBe(130);
  expect(rsyncPids(dst)).toEqual([]);
});
