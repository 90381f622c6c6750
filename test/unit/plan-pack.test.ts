import { describe, expect, test } from 'bun:test';
import { manifestLine, manifestName, unrepresentable, type ManifestFormat } from '../../src/engine/manifest-format.ts';
import { imbalance, packLargestFirst } from '../../src/engine/plan-pack.ts';
import { PlanStore } from '../../src/engine/plan-store.ts';
import { listPath } from '../../src/engine/rsync-args.ts';
import { prng } from '../../src/engine/small-files-tree.ts';
import type { Entry } from '../../src/engine/types.ts';

const itemsOf = (r: ReturnType<typeof packLargestFirst>) => r.bins.map((b) => Array.from(b));

describe('packLargestFirst', () => {
  test.each<[string, number[], number, number[][], number[]]>([
    ['nothing to pack', [], 3, [[], [], []], [0, 0, 0]],
    ['one bin takes everything', [3, 1, 2], 1, [[0, 1, 2]], [6]],
    ['classic LPT', [5, 4, 3, 3, 2, 2, 1], 2, [[0, 3, 5], [1, 2, 4, 6]], [10, 10]],
    ['largest first, not input order', [1, 1, 1, 1, 8], 2, [[4], [0, 1, 2, 3]], [8, 4]],
    ['more bins than items: some stay empty', [7, 3], 4, [[0], [1], [], []], [7, 3, 0, 0]],
    ['equal weights: ties go to the lower bin', [1, 1, 1, 1, 1, 1], 3, [[0, 3], [1, 4], [2, 5]], [2, 2, 2]],
    ['a giant item cannot be split', [100, 1, 1, 1], 2, [[0], [1, 2, 3]], [100, 3]],
  ])('%s', (_label, weights, bins, want, totals) => {
    const r = packLargestFirst(weights, bins);
    expect(itemsOf(r)).toEqual(want);
    expect(r.totals).toEqual(totals);
    for (const [b, items] of want.entries()) for (const i of items) expect(r.assignment[i]).toBe(b);
  });

  test('weightless items are spread by entry count, not piled on the lightest bin', () => {
    // two big files, then 10 empty files / links / empty dirs
    const weights = [10, 9, ...Array(10).fill(0)];
    const r = packLargestFirst(weights, 2);
    expect(r.totals).toEqual([10, 9]);
    expect(r.counts).toEqual([6, 6]);
  });

  test('entry counts of hardlink groups are summed', () => {
    const r = packLargestFirst([5, 5], 2, [3, 1]);
    expect(r.counts).toEqual([3, 1]);
  });

  test('rejects a bad bin count', () => {
    expect(() => packLargestFirst([1], 0)).toThrow();
    expect(() => packLargestFirst([1], 1.5)).toThrow();
  });

  test('mixed sizes (many small, some large, a few huge) balance within 5%', () => {
    const rand = prng(42);
    const weights: number[] = [];
    for (let i = 0; i < 5000; i++) weights.push(rand() % 20_000); // small files
    for (let i = 0; i < 200; i++) weights.push(100_000 + (rand() % 900_000)); // medium
    for (let i = 0; i < 5; i++) weights.push(5_000_000 + (rand() % 5_000_000)); // big
    for (const bins of [2, 3, 4, 7, 8, 16]) {
      const r = packLargestFirst(weights, bins);
      expect(imbalance(r.totals)).toBeLessThan(0.05);
      expect(r.totals.reduce((s, t) => s + t, 0)).toBe(weights.reduce((s, w) => s + w, 0));
      expect(r.bins.reduce((s, b) => s + b.length, 0)).toBe(weights.length);
    }
  });

  test('a million items pack in a few seconds', () => {
    const rand = prng(7);
    const n = 1_000_000;
    const weights = new Float64Array(n);
    for (let i = 0; i < n; i++) weights[i] = rand() % 1_000_000;
    const t0 = performance.now();
    const r = packLargestFirst(weights, 64);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(10_000);
    expect(imbalance(r.totals)).toBeLessThan(0.001);
    expect(r.bins.reduce((s, b) => s + b.length, 0)).toBe(n);
  });
});

describe('imbalance', () => {
  test.each<[number[], number]>([
    [[], 0],
    [[0, 0], 0],
    [[10, 10, 10], 0],
    [[11, 9], 0.1],
    [[15, 5, 10], 0.5],
    [[30, 0, 0], 2],
  ])('%j → %d', (totals, want) => {
    expect(imbalance(totals)).toBeCloseTo(want, 10);
  });
});

const entry = (path: string | Buffer, size: number, over: Partial<Entry> = {}): Entry => ({
  path: typeof path === 'string' ? Buffer.from(path) : path,
  kind: 'file',
  size,
  ino: Math.floor(Math.random() * 1e9),
  dev: 1,
  nlink: 1,
  ...over,
});

describe('PlanStore', () => {
  test('paths come back byte for byte, including raw and very long ones', () => {
    const s = new PlanStore();
    const paths = [Buffer.from('a'), Buffer.from([0x62, 0xff, 0x0a, 0x00]), Buffer.alloc(9 * 1024 * 1024, 0x78), Buffer.from('after/the/big/one')];
    for (const p of paths) s.add(entry(p, 1));
    expect(s.count).toBe(4);
    for (const [i, p] of paths.entries()) expect(s.path(i).equals(p)).toBe(true);
  });

  test('hard-linked names are one item, their bytes counted once; directories never group', () => {
    const s = new PlanStore();
    s.add(entry('x/one', 100, { ino: 5, nlink: 3 }));
    s.add(entry('solo', 7, { ino: 6 }));
    s.add(entry('y/two', 100, { ino: 5, nlink: 3 }));
    s.add(entry('d1', 0, { kind: 'dir', ino: 9, nlink: 2 }));
    s.add(entry('d2', 0, { kind: 'dir', ino: 9, nlink: 2 }));
    s.add(entry('other-dev', 100, { ino: 5, dev: 2, nlink: 2 }));
    expect(s.count).toBe(6);
    expect(s.items).toBe(5);
    expect(s.bytes).toBe(207);
    expect(s.itemOfEntry(0)).toBe(s.itemOfEntry(2));
    expect(s.itemOfEntry(3)).not.toBe(s.itemOfEntry(4));
    expect(Array.from(s.weights('size'))).toEqual([100, 7, 0, 0, 100]);
    expect(Array.from(s.weights('count'))).toEqual([2, 1, 1, 1, 1]);
    expect(Array.from(s.entries())).toEqual([2, 1, 1, 1, 1]);
  });

  test('a million entries stay compact', () => {
    const s = new PlanStore();
    const e = entry('', 0);
    for (let i = 0; i < 1_000_000; i++) {
      e.path = Buffer.from(`some/dir-${i % 1000}/file-${i}.dat`);
      e.size = i;
      e.ino = i;
      s.add(e);
    }
    expect(s.count).toBe(1_000_000);
    expect(s.path(999_999).toString()).toBe('some/dir-999/file-999999.dat');
    // ~27 bytes of path + ~30 bytes of arrays per entry (capacity doubles): well under 150 MB
    expect(s.memoryBytes()).toBeLessThan(150 * 1024 * 1024);
  });
});

describe('manifest lines', () => {
  const line = (p: string | Buffer, f: ManifestFormat) => manifestLine(typeof p === 'string' ? Buffer.from(p) : p, f);
  test.each<[string, ManifestFormat, string]>([
    ['a/b c', 'newline', 'a/b c\n'],
    ['a/b c', 'nul', 'a/b c\0'],
    ['#x', 'newline', './#x\n'],
    [';x', 'nul', './;x\0'],
    ['d/#x', 'newline', 'd/#x\n'],
    ['-rf', 'newline', '-rf\n'],
    ['a/b/c.txt', 'robocopy', 'a\\b\\c.txt\r\n'],
    ['#x/y', 'robocopy', '#x\\y\r\n'],
  ])('%j as %s', (p, f, want) => {
    expect(line(p, f).toString('latin1')).toBe(want);
  });

  test('rsync lines protect names exactly as listPath does (the bucket lists\' rule)', () => {
    for (const p of ['#a', ';a', 'a#', './x', '-rf', 'x', '#', ';']) {
      const b = Buffer.from(p);
      expect(manifestLine(b, 'nul').equals(Buffer.concat([listPath(b), Buffer.from([0])]))).toBe(true);
      expect(manifestLine(b, 'newline').equals(Buffer.concat([listPath(b), Buffer.from('\n')]))).toBe(true);
    }
  });

  test('PlanStore writes the same lines into a shared buffer', () => {
    const s = new PlanStore();
    for (const p of ['#x/y', 'a/b', Buffer.from([0x61, 0xff])]) s.add(entry(p, 1));
    const out = Buffer.alloc(64);
    let pos = 0;
    for (let i = 0; i < s.count; i++) pos = s.writeLine(i, 'robocopy', out, pos);
    expect(out.subarray(0, pos).equals(Buffer.concat([Buffer.from('#x\\y\r\na\\b\r\na'), Buffer.from([0xff]), Buffer.from('\r\n')]))).toBe(true);
    // the stored path itself is untouched
    expect(s.path(0).toString()).toBe('#x/y');
  });

  test('the path bytes are not changed by a robocopy line', () => {
    const p = Buffer.from('a/b');
    manifestLine(p, 'robocopy');
    expect(p.toString()).toBe('a/b');
  });

  test.each<[string, ManifestFormat, string | null]>([
    ['new\nline', 'newline', 'contains a newline'],
    ['cr\rhere', 'newline', 'contains a carriage return'],
    ['new\nline', 'nul', null],
    ['cr\rhere', 'nul', null],
    ['back\\slash', 'newline', null],
    ['back\\slash', 'robocopy', 'contains a backslash'],
    ['new\nline', 'robocopy', 'contains a newline'],
    ['plain/name', 'robocopy', null],
  ])('%j in %s → %j', (p, f, want) => {
    expect(unrepresentable(Buffer.from(p), f)).toBe(want);
  });

  test.each<[number, number, ManifestFormat, string]>([
    [0, 4, 'newline', 'manifest-001.txt'],
    [3, 4, 'nul', 'manifest-004.from0'],
    [9, 10, 'robocopy', 'manifest-010.txt'],
    [0, 1000, 'newline', 'manifest-0001.txt'],
    [1233, 1234, 'nul', 'manifest-1234.from0'],
  ])('name of %d of %d (%s)', (i, n, f, want) => {
    expect(manifestName(i, n, f)).toBe(want);
  });
});
