// The destination check for a DST on an ssh host (src/engine/remote-dest.ts): one listing of
// DST over the run's ssh connection, and entries DST already has as rsync would leave them go to
// no bucket. Every case runs multisync into host:DST and compares with plain rsync into an
// identical copy of DST, entry by entry; a throwaway sshd on 127.0.0.1 (sshd.ts).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, lutimesSync, mkdirSync, rmSync, symlinkSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeOddTree } from '../../src/engine/odd-tree.ts';
import { expectAsOneRsync, expectNoOp, jsonEvents, runCli, summaryOf as summary, tempDir, writeAt } from './helpers.ts';
import { HAVE_SSHD, startSshLab, type SshLab } from './sshd.ts';
import { expectSameTrees, rsyncRef } from '../trees.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');
const H = '127.0.0.1';
const T = 1_600_000_000;
let lab: SshLab;

const suite = HAVE_SSHD ? describe : describe.skip;

const write = (root: string, rel: string, body: string, mtime = T) => writeAt(root, rel, body, mtime);

beforeAll(async () => {
  if (!HAVE_SSHD) return;
  lab = await startSshLab([H]);
  for (let d = 0; d < 4; d++) for (let f = 0; f < 5; f++) write(src, `d${d}/sub/f${f}.txt`, `file ${d}/${f}\n`.repeat(f + 1));
  write(src, 'same-size', 'AAAA');
  write(src, 'mode', 'mode');
  write(src, "name with 'quotes'\nand a newline", 'odd');
  symlinkSync('target-a', join(src, 'link'));
  lutimesSync(join(src, 'link'), T, T);
  mkdirSync(join(src, 'empty'));
  for (const d of ['d0/sub', 'd1/sub', 'd2/sub', 'd3/sub', 'd0', 'd1', 'd2', 'd3', 'empty', '.']) utimesSync(join(src, d), T - 100, T - 100);
});
afterAll(() => {
  lab?.cleanup();
  tmp.cleanup();
});

const cli = (args: string[]) => runCli(['--json', '-e', lab.rsh, '-p', '3', ...args]);

/** DST copied by multisync over ssh, and an exact clone of it for the reference rsync. */
async function pair(name: string): Promise<{ ms: string; ref: string }> {
  const ms = join(tmp.path, `${name}-ms`);
  const ref = join(tmp.path, `${name}-ref`);
  const first = await cli([`${src}/`, `${H}:${ms}`]);
  expect(first.code).toBe(0);
  rsyncRef(['-aH', '--numeric-ids', `${ms}/`, `${ref}/`]);
  return { ms, ref };
}

suite('destination check, DST on an ssh host', () => {
  test('a no-op re-run into host:DST starts no rsync, no directory pass, and changes nothing', async () => {
    const { ms } = await pair('noop');
    const again = await cli([`${src}/`, `${H}:${ms}`]);
    expect(again.code).toBe(0);
    await expectNoOp(again.stdout, src, ms, 20);
  });

  test('changes in SRC and tampering in DST: the same result as one rsync -a', async () => {
    const { ms, ref } = await pair('changes');
    for (const d of [ms, ref]) {
      unlinkSync(join(d, 'd1/sub/f2.txt'));
      truncateSync(join(d, 'd2/sub/f3.txt'), 1);
      chmodSync(join(d, 'd3/sub/f1.txt'), 0o600);
      utimesSync(join(d, 'd0/sub/f4.txt'), T + 5, T + 5);
      // same size and second, other data: rsync's quick check leaves it, and so must we
      writeFileSync(join(d, 'same-size'), 'BBBB');
      utimesSync(join(d, 'same-size'), T + 0.25, T + 0.25);
      rmSync(join(d, 'empty'), { recursive: true });
      chmodSync(join(d, 'd2'), 0o700); // a directory's own mode
      utimesSync(d, T + 50, T + 50); // DST itself
    }
    chmodSync(join(src, 'mode'), 0o640);
    unlinkSync(join(src, 'link'));
    symlinkSync('target-b', join(src, 'link')); // same length, same mtime, other target
    lutimesSync(join(src, 'link'), T, T);
    utimesSync(src, T - 100, T - 100);
    try {
      const again = await cli([`${src}/`, `${H}:${ms}`]);
      expect(again.code).toBe(0);
      await expectAsOneRsync(again.stdout, src, ref, ms, 10);
    } finally {
      chmodSync(join(src, 'mode'), 0o644);
      unlinkSync(join(src, 'link'));
      symlinkSync('target-a', join(src, 'link'));
      lutimesSync(join(src, 'link'), T, T);
      utimesSync(src, T - 100, T - 100);
    }
  });

  test('owners and groups there are compared by number: without --numeric-ids the check is off', async () => {
    const { ms } = await pair('names');
    const again = await cli(['--rsync', '-a', `${src}/`, `${H}:${ms}`]);
    expect(again.code).toBe(0);
    expect(summary(again.stdout).filesUnchanged).toBe(0);
    await expectSameTrees(src, ms, { hardlinks: true });
  });

  test('the odd tree (hostile names, specials, modes) into host:DST: a re-run is a no-op and exact', async () => {
    const odd = join(tmp.path, 'odd');
    await makeOddTree(odd, { sparseSize: 1024 * 1024, deep: 12 });
    const dst = join(tmp.path, 'odd-dst');
    expect((await cli([`${odd}/`, `${H}:${dst}`])).code).toBe(0);
    const again = await cli([`${odd}/`, `${H}:${dst}`]);
    expect(again.code).toBe(0);
    const s = summary(again.stdout);
    expect(s.filesTransferred).toBe(0);
    // devices cannot be checked from a listing (find prints no device numbers): they go to rsync
    expect(s.filesUnchanged).toBeGreaterThan(s.filesTotal / 2);
    await expectSameTrees(odd, dst);
  });

  test('--delete into host:DST: no delete pass when its listing holds nothing SRC lacks; a stray there is removed as rsync --delete does', async () => {
    const step = (stdout: string) => jsonEvents(stdout).find((e) => e.type === 'finalize' && String(e.step).startsWith('delete'))?.step;
    const clean = await pair('del-clean');
    const r1 = await cli(['--delete', `${src}/`, `${H}:${clean.ms}`]);
    expect(r1.code).toBe(0);
    expect(step(r1.stdout)).toMatch(/nothing SRC lacks/);
    await expectSameTrees(clean.ref, clean.ms);
    const { ms, ref } = await pair('del-stray');
    for (const root of [ms, ref]) {
      write(root, 'd2/sub/stray.txt', 'x');
      write(root, 'stray-dir/f', 'x');
    }
    const r2 = await cli(['--delete', `${src}/`, `${H}:${ms}`]);
    expect(r2.code).toBe(0);
    expect(jsonEvents(r2.stdout).filter((e) => e.type === 'delete').map((e) => e.path).sort()).toEqual(['d2/sub/stray.txt', 'stray-dir/', 'stray-dir/f']);
    rsyncRef(['-aH', '--numeric-ids', '--delete', `${src}/`, `${ref}/`]);
    await expectSameTrees(ref, ms);
  });
});
