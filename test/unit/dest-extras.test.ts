// Whether --delete has anything to remove, from the crawl (src/engine/dest-extras.ts).
import { afterAll, expect, test } from 'bun:test';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRunConfig } from '../../src/engine/config.ts';
import { deletePassNeeded, destExtras, extrasKnowable, indexExtras } from '../../src/engine/dest-extras.ts';
import { tempDir } from '../e2e/helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const fs = { readdirSync, Buffer };
let n = 0;

test.each<[string, string[], string[], boolean]>([
  ['the same names', ['a', 'b'], ['a', 'b'], false],
  ['DST lacks some (buckets bring them)', ['a', 'b', 'c'], ['b'], false],
  ['an empty DST directory', ['a'], [], false],
  ['one name SRC lacks', ['a', 'b'], ['a', 'b', 'stray'], true],
  ['as many names, one of them other', ['a', 'b'], ['a', 'B'], true],
  ['a non-ASCII name SRC lacks', ['a'], ['a', 'caf\u00e9'], true],
])('%s → %p', (_what, src, dst, want) => {
  const dir = join(tmp.path, `d${++n}`);
  mkdirSync(dir);
  for (const name of dst) writeFileSync(join(dir, name), '');
  // names as the crawl holds them: latin1 strings of their bytes
  const names = src.map((s) => Buffer.from(s).toString('latin1'));
  expect(destExtras(names, { dir, ascii: true }, fs)).toBe(want);
});

test('a DST directory that cannot be listed counts as holding extras (the pass decides)', () => {
  expect(destExtras(['a'], { dir: join(tmp.path, 'missing'), ascii: true }, fs)).toBe(true);
});

test.each<[string, string[], string, boolean]>([
  ['the top with just the SRC names', ['a', 'd'], '', false],
  ['the top, one name fewer in SRC', ['a'], '', true],
  ['a sub-directory with what SRC has', ['e', 'x', 'y'], 'd', false],
  ['a sub-directory holding a name SRC lacks', ['e', 'x'], 'd', true],
  ['a directory DST has empty', ['new'], 'd/e', false],
  ['a directory DST lacks', ['new'], 'nope', false],
])('indexExtras: %s → %p', (_what, names, dir, want) => {
  // DST: a, d/, d/x, d/y, d/e/ (and itself, '')
  const rec = { mode: 0, size: 0, mtimeS: 0, uid: 0, gid: 0, rdev: 0, nlink: 1 };
  const index = new Map(['', 'a', 'd', 'd/x', 'd/y', 'd/e'].map((k) => [k, rec]));
  expect(indexExtras(names, dir, index)).toBe(want);
});

const cfg = (o: Partial<Parameters<typeof makeRunConfig>[0]>) => makeRunConfig({ sources: [], destination: '/d', deleteOpts: ['--delete'], ...o });

test.each<[string, Partial<Parameters<typeof makeRunConfig>[0]>, boolean]>([
  ['-aS --numeric-ids --delete', {}, true],
  ['no --delete', { deleteOpts: [] }, false],
  ['filter rules', { filters: [{ kind: 'exclude', pattern: '*.tmp' }] }, false],
  ['-x', { oneFileSystem: true }, false],
  ['-rtD (no -l)', { rsyncOpts: ['-rtD'] }, false],
  ['-rlptD', { rsyncOpts: ['-rlptD'] }, true],
  ['-rl --devices --specials', { rsyncOpts: ['-rl', '--devices', '--specials'] }, true],
  ['--archive', { rsyncOpts: ['--archive'] }, true],
])('extrasKnowable: %s → %p', (_what, o, want) => {
  expect(extrasKnowable(cfg(o))).toBe(want);
});

test.each<[string, { extrasKnown: boolean; destExtras: number; crawlWarnings: number; vanished: number }, boolean, boolean]>([
  ['every DST twin listed, none with extras', { extrasKnown: true, destExtras: 0, crawlWarnings: 0, vanished: 0 }, true, false],
  ['one directory with extras', { extrasKnown: true, destExtras: 1, crawlWarnings: 0, vanished: 0 }, true, true],
  ['the crawl did not list DST twins', { extrasKnown: false, destExtras: 0, crawlWarnings: 0, vanished: 0 }, true, true],
  ['a resumed run (parts of the tree not crawled)', { extrasKnown: true, destExtras: 0, crawlWarnings: 0, vanished: 0 }, false, true],
  ['an entry vanished during the crawl', { extrasKnown: true, destExtras: 0, crawlWarnings: 1, vanished: 0 }, true, true],
  ['a bucket saw files vanish (exit 24)', { extrasKnown: true, destExtras: 0, crawlWarnings: 0, vanished: 1 }, true, true],
])('deletePassNeeded: %s → %p', (_what, stats, fresh, want) => {
  expect(deletePassNeeded(stats, fresh)).toBe(want);
});
