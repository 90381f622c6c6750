// --delete without a second walk when the crawl shows there is nothing to delete (src/engine/
// dest-extras.ts): the destination check lists each DST directory too, and a run whose DST holds
// no name SRC lacks runs no delete pass. Whatever the case, the tree must equal what one
// `rsync --delete` with the same options leaves (the reference, built by plain rsync).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, lutimesSync, mkdirSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEvents, runCli, tempDir, writeAt } from './helpers.ts';
import { expectSameTrees, rsyncRef } from '../trees.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');
const T = 1_600_000_000;
let n = 0;
afterAll(() => tmp.cleanup());

beforeAll(() => {
  for (let d = 0; d < 4; d++) for (let f = 0; f < 6; f++) writeAt(src, `d${d}/sub/f${f}.txt`, `file ${d}/${f}\n`, T);
  writeAt(src, 'top.txt', 'top\n', T);
  symlinkSync('top.txt', join(src, 'link'));
  lutimesSync(join(src, 'link'), T, T);
  mkdirSync(join(src, 'empty'));
  // (old directory mtimes: a directory made in the same second as its copy would differ from
  // the reference for rsync's reasons, see identical.test.ts)
  for (const d of ['d0/sub', 'd1/sub', 'd2/sub', 'd3/sub', 'd0', 'd1', 'd2', 'd3', 'empty', '.']) utimesSync(join(src, d), T - 100, T - 100);
});

/** A DST multisync made from SRC, and a clone of it for the reference rsync. */
async function pair(): Promise<{ dst: string; ref: string }> {
  const dst = join(tmp.path, `dst${++n}`);
  const ref = join(tmp.path, `ref${n}`);
  expect((await runCli(['-f', '5', `${src}/`, dst])).code).toBe(0);
  rsyncRef(['-a', `${dst}/`, `${ref}/`]);
  return { dst, ref };
}

const deleteStep = (stdout: string) => jsonEvents(stdout).find((e) => e.type === 'finalize' && String(e.step).startsWith('delete'));

describe('--delete when the crawl saw every DST directory', () => {
  test('a re-run into a DST that holds nothing SRC lacks runs no delete pass, and equals rsync --delete', async () => {
    const { dst, ref } = await pair();
    const r = await runCli(['--json', '--keep', '-f', '5', '--delete', `${src}/`, dst]);
    expect(r.code).toBe(0);
    expect(deleteStep(r.stdout)).toMatchObject({ ok: true, step: expect.stringMatching(/nothing SRC lacks/) });
    const runDir = jsonEvents(r.stdout).find((e) => e.type === 'start')!.bucketDir;
    expect(existsSync(runDir)).toBe(true);
    expect(existsSync(join(runDir, 'delete.log'))).toBe(false);
    rsyncRef(['-a', '--delete', `${src}/`, `${ref}/`]);
    await expectSameTrees(ref, dst);
  });

  test('a cold copy with --delete runs no delete pass', async () => {
    const dst = join(tmp.path, 'cold');
    const r = await runCli(['--json', '-f', '5', '--delete', `${src}/`, dst]);
    expect(r.code).toBe(0);
    expect(deleteStep(r.stdout)).toMatchObject({ ok: true, step: expect.stringMatching(/nothing SRC lacks/) });
    await expectSameTrees(src, dst);
  });

  test.each<[string, (root: string) => void, string]>([
    ['a file deep down', (root) => writeAt(root, 'd2/sub/stray.txt', 'x', T), 'd2/sub/stray.txt'],
    ['a file at the top', (root) => writeAt(root, 'stray-top', 'x', T), 'stray-top'],
    ['a whole directory', (root) => writeAt(root, 'd1/stray-dir/deeper/f', 'x', T), 'd1/stray-dir/'],
    ['a symlink in an empty directory', (root) => symlinkSync('nowhere', join(root, 'empty/stray-link')), 'empty/stray-link'],
  ])('DST holds %s SRC lacks: the pass runs and removes it, as rsync --delete', async (_what, stray, path) => {
    const { dst, ref } = await pair();
    stray(dst);
    stray(ref);
    const r = await runCli(['--json', '-f', '5', '--delete', `${src}/`, dst]);
    expect(r.code).toBe(0);
    expect(jsonEvents(r.stdout).filter((e) => e.type === 'delete').map((e) => e.path)).toContain(path);
    rsyncRef(['-a', '--delete', `${src}/`, `${ref}/`]);
    await expectSameTrees(ref, dst);
  });

  test.each(['force', 'split'])('with reader threads (MULTISYNC_CRAWL_POOL=%p): a stray is found by the thread that lists its directory; none, no pass', async (mode) => {
    const env = { MULTISYNC_CRAWL_POOL: mode };
    const clean = await pair();
    const r1 = await runCli(['--json', '-f', '5', '--delete', `${src}/`, clean.dst], { env });
    expect(deleteStep(r1.stdout)?.step).toMatch(/nothing SRC lacks/);
    const { dst, ref } = await pair();
    for (const root of [dst, ref]) writeAt(root, 'd3/sub/stray.txt', 'x', T);
    const r2 = await runCli(['--json', '-f', '5', '--delete', `${src}/`, dst], { env });
    expect(r2.code).toBe(0);
    expect(jsonEvents(r2.stdout).filter((e) => e.type === 'delete').map((e) => e.path)).toEqual(['d3/sub/stray.txt']);
    rsyncRef(['-a', '--delete', `${src}/`, `${ref}/`]);
    await expectSameTrees(ref, dst);
  });

  // (rsync lists an entry it will not copy, and so keeps its DST twin; the crawl does not reckon with that)
  test('rsync options without -l (symlinks not copied): the pass runs, and the tree is rsync\'s', async () => {
    const { dst, ref } = await pair();
    const opts = ['-rtD', '--numeric-ids'];
    const r = await runCli(['--json', '-f', '5', '-r', opts.join(' '), '--delete', `${src}/`, dst]);
    expect(r.code).toBe(0);
    expect(deleteStep(r.stdout)?.step).not.toMatch(/nothing SRC lacks/);
    rsyncRef([...opts, '--delete', `${src}/`, `${ref}/`]);
    await expectSameTrees(ref, dst);
  });

  test('--dry-run into a DST that holds nothing SRC lacks: 0 would be deleted, nothing touched', async () => {
    const { dst, ref } = await pair();
    const r = await runCli(['--json', '--dry-run', '-f', '5', '--delete', `${src}/`, dst]);
    expect(r.code).toBe(0);
    expect(deleteStep(r.stdout)).toMatchObject({ ok: true, step: expect.stringMatching(/0 would be deleted/) });
    await expectSameTrees(ref, dst);
  });
});
