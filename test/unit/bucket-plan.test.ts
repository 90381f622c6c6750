// The bucketer's planning (pieces shrinking to a floor, largest first), its live cuts for idle
// workers, whole-subtree names, and rsync argv with names as arguments.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bucketer, ENTRY_COST, type BucketerConfig } from '../../src/engine/bucketer.ts';
import { bucketArgs, listAsArgs, recurses } from '../../src/engine/rsync-args.ts';
import type { Bucket, Entry } from '../../src/engine/types.ts';

let root: string;
let n = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'multisync-plan-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const file = (path: string, size = 0): Entry => ({ path: Buffer.from(path), kind: 'file', size, ino: 1, dev: 1, nlink: 1 });
const listed = (b: Bucket): string[] => readFileSync(b.listFile).toString('latin1').split('\0').slice(0, -1);

function setup(over: Partial<BucketerConfig> = {}, onCut?: () => void) {
  const dir = mkdtempSync(join(root, `case-${++n}-`));
  const buckets: Bucket[] = [];
  const settled: number[] = [];
  const b = new Bucketer({
    dir,
    maxFiles: 1e9,
    maxBytes: 1e15,
    onBucket: (x, s) => {
      buckets.push(x);
      settled.push(s);
      onCut?.();
    },
    ...over,
  });
  return { b, buckets, settled };
}

const cost = (b: Bucket) => b.bytes + b.files * ENTRY_COST;

describe('planning at the end of the crawl', () => {
  test.each([
    // slots, entries → the number of buckets stays small
    [2, 20000],
    [4, 20000],
    [8, 20000],
    [4, 1500],
  ])('%d slots, %d equal entries: pieces shrink, largest first, at most 4 per slot', (slots, entries) => {
    const { b, buckets } = setup({ slots: () => slots });
    for (let i = 0; i < entries; i++) b.add(0, file(`f${i}`, 1000));
    b.flush();
    expect(buckets.reduce((s, x) => s + x.files, 0)).toBe(entries);
    expect(buckets.length).toBeLessThanOrEqual(4 * slots);
    for (let i = 1; i < buckets.length; i++) expect(cost(buckets[i])).toBeLessThanOrEqual(cost(buckets[i - 1]));
    // the first pieces are about 1/slots of everything, the last ones not below the floor
    const first = Math.max((entries * (1000 + ENTRY_COST)) / slots, 1000 * ENTRY_COST);
    expect(cost(buckets[0])).toBeLessThanOrEqual(first + 1000 + ENTRY_COST);
    const floor = Math.min(1000 * ENTRY_COST, (entries * (1000 + ENTRY_COST)) / slots);
    for (const x of buckets.slice(0, -1)) expect(cost(x)).toBeGreaterThanOrEqual(floor * 0.99);
  });

  test('one slot: everything in one bucket (the caps still apply)', () => {
    const { b, buckets } = setup({ maxFiles: 300 });
    for (let i = 0; i < 1000; i++) b.add(0, file(`f${i}`));
    b.flush();
    expect(buckets.map((x) => x.files)).toEqual([300, 300, 300, 100]);
  });

  test('a big file late in the crawl is handed out first', () => {
    const { b, buckets } = setup({ slots: () => 4 });
    for (let i = 0; i < 3000; i++) b.add(0, file(`a/f${i}`, 100));
    b.add(0, file('z/huge', 10 * 1024 ** 3));
    b.flush();
    expect(listed(buckets[0])).toEqual(['z/huge']);
  });

  test('caps hold inside planned pieces and groups stay whole', () => {
    const { b, buckets } = setup({ slots: () => 3, maxFiles: 7 });
    for (let i = 0; i < 20; i++) b.add(0, file(`f${i}`));
    b.addGroup(0, [file('g1'), file('g2'), file('g3')]);
    b.flush();
    for (const x of buckets) expect(x.files).toBeLessThanOrEqual(7);
    const withGroup = buckets.filter((x) => listed(x).some((l) => l.startsWith('g')));
    expect(withGroup).toHaveLength(1);
    expect(listed(withGroup[0]).filter((l) => l.startsWith('g'))).toEqual(['g1', 'g2', 'g3']);
  });
});

describe('live cuts for idle workers', () => {
  test('nothing below minLive; then at least half of that, or a share of what was found; the rest at the end', () => {
    // demand: idle workers; each bucket cut takes one
    let demand = 1;
    const { b, buckets, settled } = setup({ slots: () => 2, demand: () => demand, minLive: 10, liveGraceMs: 0 }, () => (demand = Math.max(0, demand - 1)));
    b.pump(); // a worker is idle, the pool is empty
    for (let i = 0; i < 9; i++) b.add(0, file(`f${i}`));
    expect(buckets).toHaveLength(0);
    b.add(0, file('f9'));
    expect(buckets.map((x) => x.files)).toEqual([5]);
    expect(settled).toEqual([5]);
    for (let i = 10; i < 100; i++) b.add(0, file(`f${i}`));
    expect(buckets).toHaveLength(1);
    demand = 1;
    b.pump(); // a slot frees: max(minLive, added / (2 × slots)) = 25 entries
    expect(buckets.map((x) => x.files)).toEqual([5, 25]);
    expect(settled).toEqual([5, 30]);
    b.flush();
    expect(buckets.reduce((s, x) => s + x.files, 0)).toBe(100);
    expect(settled[settled.length - 1]).toBe(100);
  });

  test('a slow crawl: an idle worker gets what there is after liveFlushMs', async () => {
    const { b, buckets } = setup({ demand: () => 1, minLive: 1000, liveFlushMs: 20 });
    b.add(0, file('only'));
    b.pump();
    expect(buckets).toHaveLength(0);
    const end = Date.now() + 5000;
    while (!buckets.length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(buckets.map(listed)).toEqual([['only']]);
  });

  test('a crawl within liveGraceMs gets no live cut: it is planned whole at its end', () => {
    const { b, buckets } = setup({ slots: () => 2, demand: () => 1, minLive: 10, liveGraceMs: 60_000 });
    b.pump();
    for (let i = 0; i < 100; i++) b.add(0, file(`f${i}`));
    b.pump();
    expect(buckets).toHaveLength(0);
    b.flush();
    // (100 entries cost less than an rsync's start: one bucket, see bucket-sizing.ts)
    expect(buckets.map((x) => x.files)).toEqual([100]);
  });

  test('a crawl longer than liveGraceMs: an idle worker gets its live bucket once the grace is over', async () => {
    const { b, buckets } = setup({ slots: () => 2, demand: () => (buckets.length ? 0 : 1), minLive: 10, liveGraceMs: 40 });
    const start = Date.now();
    b.pump();
    for (let i = 0; i < 20; i++) b.add(0, file(`f${i}`));
    expect(buckets).toHaveLength(0);
    const end = Date.now() + 5000;
    while (!buckets.length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(Date.now() - start).toBeGreaterThanOrEqual(40);
    expect(buckets.map((x) => x.files)).toEqual([5]);
  });
});

describe('whole subtrees', () => {
  /** Feeds a tree the way the crawler does: enterDir, entries, leaveDir (nested). */
  function walk(b: Bucketer, hooks: ReturnType<Bucketer['treeHooks']>, tree: Tree, rel = '.') {
    hooks.enterDir?.(Buffer.from(rel));
    const prefix = rel === '.' ? '' : `${rel}/`;
    for (const [name, sub] of Object.entries(tree)) {
      if (sub === 'pruned') hooks.pruned?.();
      else if (typeof sub === 'number') b.add(0, file(prefix + name, sub));
      else walk(b, hooks, sub, prefix + name);
    }
    hooks.leaveDir?.(Buffer.from(rel));
  }
  type Tree = { [name: string]: number | 'pruned' | Tree };
  const tree: Tree = {
    a: { x: 1, y: 1, deep: { z: 1 } },
    b: { p: 1, q: 'pruned', r: 1 },
    '#c': { s: 1, t: 1 },
    one: { only: 1 },
    top: 1,
  };

  test('a directory whose whole subtree is in the bucket is one name; a pruned one, one of a single entry and the base are not', () => {
    const { b, buckets } = setup({ wholeDirs: true });
    walk(b, b.treeHooks(), tree);
    b.flush();
    expect(buckets).toHaveLength(1);
    expect(buckets[0].files).toBe(9);
    expect(listed(buckets[0])).toEqual(['a', 'b/p', 'b/r', './#c', 'one/only', 'top']);
  });

  test('a subtree cut in two is listed by its entries on both sides', () => {
    const { b, buckets } = setup({ wholeDirs: true, maxFiles: 2 });
    walk(b, b.treeHooks(), { a: { x: 1, y: 1, z: 1 }, k: { w: 1, v: 1 } });
    b.flush();
    expect(buckets.map(listed)).toEqual([['a/x', 'a/y'], ['a/z', 'k/w'], ['k/v']]);
  });

  test('subtrees that fit the cap are one name each', () => {
    const { b, buckets } = setup({ wholeDirs: true, maxFiles: 3 });
    walk(b, b.treeHooks(), { a: { x: 1, y: 1, z: 1 }, k: { w: 1, v: 1 } });
    b.flush();
    expect(buckets.map(listed)).toEqual([['a'], ['k']]);
  });

  test('a subtree still being crawled when an idle worker gets a bucket is listed by its entries', () => {
    let demand = 0;
    const { b, buckets } = setup({ wholeDirs: true, demand: () => demand, minLive: 2, liveGraceMs: 0 }, () => (demand = 0));
    const h = b.treeHooks();
    h.enterDir!(Buffer.from('.'));
    h.enterDir!(Buffer.from('a'));
    b.add(0, file('a/x'));
    b.add(0, file('a/y'));
    demand = 1;
    b.pump(); // a is still open
    b.add(0, file('a/z'));
    h.leaveDir!(Buffer.from('a'));
    h.enterDir!(Buffer.from('k'));
    b.add(0, file('k/w'));
    b.add(0, file('k/v'));
    h.leaveDir!(Buffer.from('k'));
    h.leaveDir!(Buffer.from('.'));
    b.flush();
    // (the live cut takes half of what was found: one entry)
    expect(buckets.map(listed)).toEqual([['a/x'], ['a/y', 'a/z', 'k']]);
  });

  test('without wholeDirs every entry is listed', () => {
    const { b, buckets } = setup();
    walk(b, b.treeHooks(), tree);
    b.flush();
    expect(listed(buckets[0])).toHaveLength(9);
  });
});

describe('names as rsync arguments', () => {
  test.each<[string, string[], boolean]>([
    ['-a', ['-a'], true],
    ['-aS --numeric-ids', ['-aS', '--numeric-ids'], true],
    ['-r', ['-r'], true],
    ['--archive', ['--archive'], true],
    ['-lptgoD', ['-lptgoD'], false],
    ['-a --no-recursive', ['-a', '--no-recursive'], false],
    ['-a --no-r then -r', ['-a', '--no-r', '-r'], true],
  ])('recurses(%s)', (_l, opts, want) => {
    expect(recurses(opts)).toBe(want);
  });

  test('listAsArgs: names of a list; ./ dropped; non-UTF-8 or too long → null', () => {
    const nul = (...names: Array<string | Buffer>) => Buffer.concat(names.flatMap((x) => [Buffer.isBuffer(x) ? x : Buffer.from(x), Buffer.from([0])]));
    expect(listAsArgs(nul('a', './#b', 'dir/é', '-rf', 'new\nline'), '/src/')).toEqual(['a', '#b', 'dir/é', '-rf', 'new\nline']);
    expect(listAsArgs(nul('ok', Buffer.from([0x62, 0xff])), '/src/')).toBeNull();
    expect(listAsArgs(nul(...Array.from({ length: 5000 }, (_, i) => `some/long/enough/name-${i}`)), '/a/rather/long/source/base/')).toBeNull();
    expect(listAsArgs(nul('a'), '/x/./y/')).toBeNull();
    expect(listAsArgs(Buffer.alloc(0), '/src/')).toBeNull();
  });

  test('bucketArgs: names become BASE/./NAME with --relative, no list; else --files-from (with -r when asked)', () => {
    const common = { userOpts: ['-a'], listFile: '/run/b.list', base: 'src/', destination: 'dst' };
    expect(bucketArgs({ ...common, names: ['a', '-rf'] })).toEqual(['-a', '--relative', '--info=progress2,name1', '--stats', '--no-human-readable', 'src/./a', 'src/./-rf', 'dst/']);
    expect(bucketArgs({ ...common, recursive: true })).toEqual(['-a', '--recursive', '--from0', '--files-from=/run/b.list', '--info=progress2,name1', '--stats', '--no-human-readable', 'src/', 'dst/']);
    expect(bucketArgs(common)).toEqual(['-a', '--from0', '--files-from=/run/b.list', '--info=progress2,name1', '--stats', '--no-human-readable', 'src/', 'dst/']);
  });
});
