// The wait for a bucket's process group to be empty (rsync-child.ts groupGone): a zombie left in
// it counts as gone. Where rsync dies before its helper (a directory pass stopped before it read a
// name), the helper is reparented to init, and an init that does not reap (this sandbox's) left it
// there: each such wait took its whole 2 s, and a local no-op re-run 2 s instead of 0.3 s.
import { afterAll, describe, expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupGone, liveInGroup } from '../../src/engine/rsync-child.ts';

const tmp = mkdtempSync(join(tmpdir(), 'multisync-rsync-child-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A /proc with these processes: [pid, comm, state, pgrp]. */
function fakeProc(procs: Array<[number, string, string, number]>): string {
  const dir = mkdtempSync(join(tmp, 'proc-'));
  writeFileSync(join(dir, 'uptime'), '1.0 1.0\n');
  mkdirSync(join(dir, 'self'));
  for (const [pid, comm, state, pgrp] of procs) {
    mkdirSync(join(dir, String(pid)));
    writeFileSync(join(dir, String(pid), 'stat'), `${pid} (${comm}) ${state} 1 ${pgrp} ${pgrp} 0 -1 4194560 0 0\n`);
  }
  return dir;
}

describe('liveInGroup: the processes of a group that are not zombies', () => {
  test.each([
    ['a live member', [[10, 'rsync', 'S', 10]], [10]],
    ['only a zombie', [[11, 'rsync', 'Z', 10]], []],
    ['a dead one (X) and a zombie', [[11, 'rsync', 'X', 10], [12, 'rsync', 'Z', 10]], []],
    ['a zombie and a live one', [[11, 'rsync', 'Z', 10], [12, 'rsync', 'R', 10]], [12]],
    ['other groups only', [[20, 'ssh', 'S', 20], [21, 'bash', 'S', 21]], []],
    // (comm is the name in parentheses, and may hold both)
    ['a name with spaces and parentheses', [[13, 'a) (b c', 'S', 10]], [13]],
  ] as Array<[string, Array<[number, string, string, number]>, number[]]>)('%s', (_n, procs, live) => {
    expect(liveInGroup(10, fakeProc(procs))).toEqual(live);
  });

  test('no /proc: null (the caller then goes by kill(2) alone)', () => {
    expect(liveInGroup(10, join(tmp, 'no-such-proc'))).toBeNull();
  });

  test("this machine's /proc: a real group with a zombie in it", async () => {
    // sh forks a child that exits at once, then becomes `sleep`, which never reaps it
    const child = spawn('sh', ['-c', '(exit 0) & exec sleep 30'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid!;
    try {
      for (let i = 0; i < 400 && zombieChildOf(pgid) === undefined; i++) await new Promise((r) => setTimeout(r, 5));
      expect(zombieChildOf(pgid)).toBeDefined();
      expect(liveInGroup(pgid)).toEqual([pgid]);
    } finally {
      process.kill(-pgid, 'SIGKILL');
    }
  });
});

/** A zombie child of `ppid` in this machine's /proc (its pid), if there is one. */
function zombieChildOf(ppid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z' && Number(f[1]) === ppid) return Number(name);
    } catch {}
  }
  return undefined;
}

describe('groupGone', () => {
  test('a group that is only a zombie is gone: the wait ends long before its limit', async () => {
    // a child that leaves sh's group (setsid) and exits, under a parent (`sleep`) that never reaps
    // it: a group of one zombie, for as long as the parent lives
    const parent = spawn('sh', ['-c', 'setsid sh -c "exit 0" & exec sleep 30'], { detached: true, stdio: 'ignore' });
    try {
      let z: number | undefined;
      for (let i = 0; i < 400 && z === undefined; i++) {
        z = zombieChildOf(parent.pid!);
        if (z === undefined) await new Promise((r) => setTimeout(r, 5));
      }
      expect(z).toBeDefined();
      // (a minute: without the zombie check the wait lasts it out, and the test's own limit ends it first)
      await groupGone(z!, 60_000);
      expect(zombieChildOf(parent.pid!)).toBe(z);
    } finally {
      process.kill(-parent.pid!, 'SIGKILL');
    }
  }, 20_000);

  test('a group with a live process is waited for until that one ends', async () => {
    const child = spawn('sleep', ['0.3'], { detached: true, stdio: 'ignore' });
    let ended = false;
    child.on('exit', () => (ended = true));
    await groupGone(child.pid!, 60_000);
    expect(ended).toBe(true);
  });
});
