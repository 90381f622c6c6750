// The destination check (src/engine/dest-check.ts): entries a local DST already has as rsync
// would leave them never reach a bucket. It must never leave out anything rsync would change:
// every case here runs multisync into one copy of DST and plain `rsync -a` into an identical
// copy, and the two results are compared entry by entry (modes, owners, mtimes, links, data).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, chownSync, lutimesSync, mkdirSync, rmSync, symlinkSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeOddTree } from '../../src/engine/odd-tree.ts';
import { expectAsOneRsync, expectNoOp, finalizesOf as finalizes, runCli, summaryOf as summary, tempDir, writeAt } from './helpers.ts';
import { expectSameTrees, rsyncRef } from '../trees.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');
afterAll(() => tmp.cleanup());
const ROOT_USER = process.getuid?.() === 0;
const T = 1_600_000_000;

function touch(path: string, when: string) {
  const r = Bun.spawnSync(['touch', '-h', '-d', when, path]);
  if (r.exitCode !== 0) throw new Error(`touch ${path}: ${r.stderr.toString()}`);
}


const write = (root: string, rel: string, body: string, mtime = T) => writeAt(root, rel, body, mtime);

beforeAll(() => {
  for (let d = 0; d < 5; d++) for (let f = 0; f < 6; f++) write(src, `d${d}/sub/f${f}.txt`, `file ${d}/${f}\n`.repeat(f + 1));
  write(src, 'same-size', 'AAAA');
  write(src, 'mode', 'mode');
  write(src, 'touched', 'touched');
  // a nanosecond before a whole second: Bun's number lstat reads it as the next second
  write(src, 'edge', 'edge');
  touch(join(src, 'edge'), '@1600000000.999999999');
  symlinkSync('target-a', join(src, 'link'));
  lutimesSync(join(src, 'link'), T, T);
  mkdirSync(join(src, 'empty'));
  mkdirSync(join(src, 'dir-mode'));
  write(src, 'dir-mode/x', 'x');
  for (const d of ['d0/sub', 'd1/sub', 'd2/sub', 'd3/sub', 'd4/sub', 'd0', 'd1', 'd2', 'd3', 'd4', 'empty', 'dir-mode', '.']) utimesSync(join(src, d), T - 100, T - 100);
});

// Every way a directory is read: here, by reader threads reading ahead (a big tree on a bigger
// machine, or a filesystem that makes the crawl wait), and by one thread sharing the reads with
// the walk (a big no-op re-run on a small machine) — the last two forced on.
const MODES: Array<[string, Record<string, string>]> = [
  ['directories read on the main thread', {}],
  ['directories read by the reader threads', { MULTISYNC_CRAWL_POOL: 'force' }],
  ['directories shared with one reader thread', { MULTISYNC_CRAWL_POOL: 'split' }],
];
for (const [mode, env] of MODES) {
  const tag = env.MULTISYNC_CRAWL_POOL ? `${env.MULTISYNC_CRAWL_POOL}-` : '';
  const at = (name: string) => join(tmp.path, `${tag}${name}`);
  const cli = (args: string[]) => runCli(args, { env });

  /** A fresh pair: DST by multisync, and an exact clone of it for the reference rsync. */
  async function pair(name: string, from = src): Promise<{ ms: string; ref: string }> {
    const ms = at(`${name}-ms`);
    const ref = at(`${name}-ref`);
    const first = await cli(['--json', '-p', '3', `${from}/`, ms]);
    expect(first.code).toBe(0);
    rsyncRef(['-aH', '--numeric-ids', `${ms}/`, `${ref}/`]);
    utimesSync(ref, T - 100, T - 100);
    utimesSync(ms, T - 100, T - 100);
    return { ms, ref };
  }

  describe(`destination check, ${mode}`, () => {
    test('a no-op re-run starts no rsync at all and changes nothing', async () => {
      const { ms } = await pair('noop');
      rsyncRef(['-a', `${src}/`, `${ms}/`]); // DST root's mtime back to the source's
      const again = await cli(['--json', '-p', '3', `${src}/`, ms]);
      expect(again.code).toBe(0);
      await expectNoOp(again.stdout, src, ms, 30);
    });

    test('DST itself a fraction of a second off in the same second: rsync leaves it, so no directory pass runs', async () => {
      const { ms } = await pair('root-ns');
      rsyncRef(['-a', `${src}/`, `${ms}/`]);
      utimesSync(ms, T - 100 + 0.25, T - 100 + 0.25);
      const again = await cli(['--json', '-p', '3', `${src}/`, ms]);
      expect(again.code).toBe(0);
      expect(finalizes(again.stdout)).toHaveLength(0);
      // and one rsync -a finds nothing to do there either
      const dry = Bun.spawnSync(['rsync', '-a', '--dry-run', '--itemize-changes', `${src}/`, `${ms}/`]);
      expect(dry.exitCode).toBe(0);
      expect(dry.stdout.toString()).toBe('');
    });

    test('DST given as a symlink to a directory (rsync follows it): checked through it', async () => {
      const { ms } = await pair('via-link');
      const link = at('via-link-symlink');
      symlinkSync(ms, link);
      const again = await cli(['--json', '-p', '2', `${src}/`, link]);
      expect(again.code).toBe(0);
      const s = summary(again.stdout);
      expect(s.filesUnchanged).toBe(s.filesTotal);
      await expectSameTrees(src, ms, { hardlinks: true });
    });

    test('--no-dest-check hands every entry to rsync again', async () => {
      const { ms } = await pair('nocheck');
      const again = await cli(['--json', '--no-dest-check', '-p', '3', `${src}/`, ms]);
      expect(again.code).toBe(0);
      expect(summary(again.stdout)).toMatchObject({ filesUnchanged: 0, filesTransferred: 0 });
      expect(summary(again.stdout).buckets).toBeGreaterThan(0);
      await expectSameTrees(src, ms, { hardlinks: true });
    });

    test('changes in SRC and tampering in DST: the same result as one rsync -a', async () => {
      const { ms, ref } = await pair('changes');
      for (const d of [ms, ref]) {
        unlinkSync(join(d, 'd1/sub/f2.txt')); // gone from DST
        truncateSync(join(d, 'd2/sub/f3.txt'), 1); // other size
        chmodSync(join(d, 'd3/sub/f1.txt'), 0o600); // other mode
        utimesSync(join(d, 'd4/sub/f4.txt'), T + 5, T + 5); // other mtime only
        // same size and second, other data: rsync's quick check leaves it, and so must we
        writeFileSync(join(d, 'same-size'), 'BBBB');
        utimesSync(join(d, 'same-size'), T + 0.25, T + 0.25);
        rmSync(join(d, 'empty'), { recursive: true }); // an empty directory gone
        chmodSync(join(d, 'dir-mode'), 0o700); // a directory's own mode
        if (ROOT_USER) chownSync(join(d, 'd0/sub/f0.txt'), 4321, 4321);
        touch(join(d, 'edge'), '@1600000001'); // the next second: rsync sets it back
        writeFileSync(join(d, 'edge'), 'EDGE');
        touch(join(d, 'edge'), '@1600000001');
      }
      // and in SRC
      chmodSync(join(src, 'mode'), 0o640);
      utimesSync(join(src, 'touched'), T + 60, T + 60);
      unlinkSync(join(src, 'link'));
      symlinkSync('target-b', join(src, 'link')); // same length, same mtime, other target
      lutimesSync(join(src, 'link'), T, T);
      write(src, 'new-dir/new-file', 'new');
      // (an old mtime: rsync compares to the second, so a directory made in this second would
      // keep its copy's own sub-second time, in rsync's reference too)
      utimesSync(join(src, 'new-dir'), T - 100, T - 100);
      utimesSync(src, T - 100, T - 100);
      try {
        const again = await cli(['--json', '-p', '3', `${src}/`, ms]);
        expect(again.code).toBe(0);
        await expectAsOneRsync(again.stdout, src, ref, ms, 20);
      } finally {
        chmodSync(join(src, 'mode'), 0o644);
        utimesSync(join(src, 'touched'), T, T);
        unlinkSync(join(src, 'link'));
        symlinkSync('target-a', join(src, 'link'));
        lutimesSync(join(src, 'link'), T, T);
        rmSync(join(src, 'new-dir'), { recursive: true });
        utimesSync(src, T - 100, T - 100);
      }
    });

    test('options the check does not know turn it off: -c sends what a quick check would leave', async () => {
      const { ms, ref } = await pair('checksum');
      for (const d of [ms, ref]) {
        writeFileSync(join(d, 'same-size'), 'CCCC');
        utimesSync(join(d, 'same-size'), T, T);
      }
      const again = await cli(['--json', '-p', '2', '--rsync', '-ac --numeric-ids', `${src}/`, ms]);
      expect(again.code).toBe(0);
      expect(summary(again.stdout).filesUnchanged).toBe(0);
      rsyncRef(['-ac', '--numeric-ids', `${src}/`, `${ref}/`]);
      await expectSameTrees(ref, ms, { hardlinks: true });
      await expectSameTrees(src, ms, { hardlinks: true });
    });

    test('a `src` source (no slash) and a partly copied DST', async () => {
      const dst = at('noslash');
      expect((await cli(['-p', '2', src, dst])).code).toBe(0);
      rmSync(join(dst, 'src/d2'), { recursive: true });
      const again = await cli(['--json', '-p', '2', src, dst]);
      expect(again.code).toBe(0);
      const s = summary(again.stdout);
      expect(s.filesUnchanged).toBeGreaterThan(0);
      expect(s.filesTotal - s.filesUnchanged).toBe(6);
      await expectSameTrees(src, join(dst, 'src'), { hardlinks: true });
    });

    test('the odd tree (hostile names, specials, sparse file, modes): a re-run is a no-op and exact', async () => {
      const odd = at('odd');
      await makeOddTree(odd, { sparseSize: 4 * 1024 * 1024, deep: 12 });
      const dst = at('odd-dst');
      expect((await cli(['-p', '4', `${odd}/`, dst])).code).toBe(0);
      const again = await cli(['--json', '-p', '4', `${odd}/`, dst]);
      expect(again.code).toBe(0);
      const s = summary(again.stdout);
      expect(s.filesTransferred).toBe(0);
      expect(s.filesUnchanged).toBe(s.filesTotal);
      // (no -H: its hard links arrive as separate files, as with one rsync -a)
      await expectSameTrees(odd, dst);
    });

    test('with -H, linked files always go to rsync (their links cannot be checked by a stat)', async () => {
      const hl = at('hl');
      write(hl, 'a/one', 'linked');
      write(hl, 'b/plain', 'plain');
      Bun.spawnSync(['ln', join(hl, 'a/one'), join(hl, 'b/two')]);
      for (const d of ['a', 'b', '.']) utimesSync(join(hl, d), T - 100, T - 100);
      const dst = at('hl-dst');
      expect((await cli(['-p', '2', '--rsync', '-aH', `${hl}/`, dst])).code).toBe(0);
      const again = await cli(['--json', '-p', '2', '--rsync', '-aH', `${hl}/`, dst]);
      expect(again.code).toBe(0);
      const s = summary(again.stdout);
      expect(s.filesTotal - s.filesUnchanged).toBe(2);
      await expectSameTrees(hl, dst, { hardlinks: true });
    });
  });
}
