// Real CLI, real rsync, real trees compared entry by entry (names, types, sizes, contents,
// modes, owners, mtimes incl. directories, symlink targets).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chownSync, lchownSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeOddTree, makeSmallFilesTree } from '../../src/engine/odd-tree.ts';
import { jsonEvents, runCli, tempDir } from './helpers.ts';
import { expectSameTrees } from '../trees.ts';

const tmp = tempDir();
const odd = join(tmp.path, 'odd');
const small = join(tmp.path, 'small');

beforeAll(async () => {
  await makeOddTree(odd, { sparseSize: 32 * 1024 * 1024 });
  await makeSmallFilesTree(small, { files: 600, dirs: 12, minSize: 10, maxSize: 3000, seed: 7 });
  // owners other than ours (we run as root in CI): rsync -a --numeric-ids must keep them
  if (process.getuid?.() === 0) {
    const f = readdirSync(small, { recursive: true }).map(String).find((n) => n.endsWith('.dat') || n.includes('.'))!;
    chownSync(join(small, f), 1234, 5678);
    lchownSync(join(odd, 'links'), 4321, 8765);
  }
});
afterAll(() => tmp.cleanup());

describe('odd names, links, specials and modes survive exactly', () => {
  for (const p of [1, 2, 4, 8]) {
    test(`-p ${p}, src/ form, many small buckets`, async () => {
      const dst = join(tmp.path, `dst-p${p}`);
      const r = await runCli(['-p', String(p), '-f', '4', `${odd}/`, dst]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await expectSameTrees(odd, dst);
    });
  }

  test('sparse file stays sparse with -S', async () => {
    const st = lstatSync(join(tmp.path, 'dst-p4', 'sparse', 'big.sparse'));
    expect(st.size).toBe(32 * 1024 * 1024);
    expect(st.blocks * 512).toBeLessThan(st.size / 4);
  });

  test('src (no slash) creates DST/src', async () => {
    const dst = join(tmp.path, 'dst-noslash');
    const r = await runCli(['-p', '3', '-f', '5', odd, dst]);
    expect(r.code).toBe(0);
    await expectSameTrees(odd, join(dst, 'odd'));
  });

  test('SRC and DST relative to the working directory (the crawl reads from inside directories)', async () => {
    const r = await runCli(['-p', '2', '-f', '40', 'small/', 'dst-relative'], { cwd: tmp.path });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await expectSameTrees(small, join(tmp.path, 'dst-relative'));
    // and the no-op re-run, whose destination check reads DST from inside its directories too
    const again = await runCli(['--json', '-p', '2', 'small/', 'dst-relative'], { cwd: tmp.path });
    expect(again.code).toBe(0);
    const sum = jsonEvents(again.stdout).find((e) => e.type === 'summary');
    expect(sum?.filesUnchanged).toBe(600);
    await expectSameTrees(small, join(tmp.path, 'dst-relative'));
  });

  test('two sources go into one DST', async () => {
    const dst = join(tmp.path, 'dst-two');
    const r = await runCli(['-p', '4', '-f', '50', odd, small, dst]);
    expect(r.code).toBe(0);
    await expectSameTrees(odd, join(dst, 'odd'));
    await expectSameTrees(small, join(dst, 'small'));
  });

  test('existing DST is updated in place, second run changes nothing', async () => {
    const dst = join(tmp.path, 'dst-again');
    mkdirSync(dst);
    expect((await runCli(['-p', '2', `${small}/`, dst])).code).toBe(0);
    const again = await runCli(['--json', '-p', '2', `${small}/`, dst]);
    expect(again.code).toBe(0);
    await expectSameTrees(small, dst);
  });
});

describe('JSON events', () => {
  test('start, progress, bucket-done and summary carry the documented fields', async () => {
    const dst = join(tmp.path, 'dst-json');
    const r = await runCli(['--json', '-p', '3', '-f', '100', `${small}/`, dst]);
    expect(r.code).toBe(0);
    const ev = jsonEvents(r.stdout);
    expect(ev[0]).toMatchObject({ type: 'start', processes: 3, sources: [`${small}/`], destination: dst });
    const done = ev.filter((e) => e.type === 'bucket-done');
    expect(done.length).toBe(6);
    for (const d of done) expect(d).toMatchObject({ bucket: expect.any(Number), files: expect.any(Number), bytes: expect.any(Number), exitCode: 0 });
    const progress = ev.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const last = progress[progress.length - 1];
    for (const k of ['filesDone', 'bytesDone', 'filesTotal', 'bytesTotal', 'crawlDone', 'queue', 'running', 'failed', 'bytesPerSec']) expect(last).toHaveProperty(k);
    expect(last).toMatchObject({ filesDone: 600, filesTotal: 600, crawlDone: true, queue: 0, running: 0, failed: 0 });
    const sum = ev[ev.length - 1];
    expect(sum).toMatchObject({ type: 'summary', files: 600, buckets: 6, failedBuckets: 0, skippedBuckets: 0, exitCode: 0 });
    expect(sum.bytes).toBe(last.bytesTotal);
    expect(typeof sum.elapsedMs).toBe('number');
    await expectSameTrees(small, dst);
  });
});
