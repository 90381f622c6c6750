import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bucketer, bucketName } from '../../src/engine/bucketer.ts';
import type { Bucket, Entry } from '../../src/engine/types.ts';

let root: string;
let n = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'multisync-bucketer-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

let ino = 1000;
const file = (path: string | Buffer, size = 0): Entry => ({
  path: typeof path === 'string' ? Buffer.from(path) : path,
  kind: 'file',
  size,
  ino: ino++,
  dev: 1,
  nlink: 1,
});

function setup(maxFiles: number, maxBytes: number) {
  const dir = mkdtempSync(join(root, `case-${++n}-`));
  const buckets: Bucket[] = [];
  const b = new Bucketer({ dir, maxFiles, maxBytes, onBucket: (x) => buckets.push(x) });
  return { dir, b, buckets };
}

/** Names in a bucket's list, as strings ('latin1' keeps any byte visible). */
const listed = (bk: Bucket): string[] => {
  const raw = readFileSync(bk.listFile);
  expect(raw[raw.length - 1]).toBe(0);
  return raw.subarray(0, -1).toString('latin1').split('\0');
};

/** One step of a scenario: [source, sizes of a group (one number = a single add)]. */
type Step = [number, number | number[]];

describe('Bucketer cuts', () => {
  test.each<[string, number, number, Step[], Array<[number, number, number]>]>([
    // label, maxFiles, maxBytes, steps, expected buckets [source, files, bytes] after the final flush
    ['closes at maxFiles', 3, 1e9, [[0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1]], [[0, 3, 3], [0, 3, 3], [0, 1, 1]]],
    ['maxFiles 1: one entry each', 1, 1e9, [[0, 5], [0, 6]], [[0, 1, 5], [0, 1, 6]]],
    ['closes before exceeding maxBytes', 100, 100, [[0, 40], [0, 40], [0, 40]], [[0, 2, 80], [0, 1, 40]]],
    ['closes on reaching maxBytes exactly', 100, 100, [[0, 50], [0, 50], [0, 1]], [[0, 2, 100], [0, 1, 1]]],
    ['a big file after small ones goes alone', 100, 100, [[0, 10], [0, 500], [0, 10]], [[0, 1, 10], [0, 1, 500], [0, 1, 10]]],
    ['a big file first goes alone', 100, 100, [[0, 500], [0, 10], [0, 20]], [[0, 1, 500], [0, 2, 30]]],
    ['zero-size entries only count against maxFiles', 2, 1, [[0, 0], [0, 0], [0, 0]], [[0, 2, 0], [0, 1, 0]]],
    ['a source change closes the bucket', 100, 1e9, [[0, 1], [0, 1], [1, 1], [1, 1], [0, 1]], [[0, 2, 2], [1, 2, 2], [0, 1, 1]]],
    ['a group does not split across buckets', 3, 1e9, [[0, 1], [0, 1], [0, [1, 1]], [0, 1]], [[0, 2, 2], [0, 3, 3]]],
    ['a group larger than maxFiles stays whole', 3, 1e9, [[0, 1], [0, [1, 1, 1, 1, 1]], [0, 1]], [[0, 1, 1], [0, 5, 5], [0, 1, 1]]],
    ['a group that would exceed maxBytes starts a new bucket', 100, 100, [[0, 50], [0, [60, 0, 0]], [0, 1]], [[0, 1, 50], [0, 4, 61]]],
    ['a group from another source starts a new bucket', 100, 1e9, [[0, 1], [1, [1, 1]]], [[0, 1, 1], [1, 2, 2]]],
  ])('%s', (_label, maxFiles, maxBytes, steps, want) => {
    const { b, buckets } = setup(maxFiles, maxBytes);
    let k = 0;
    for (const [source, sizes] of steps) {
      if (Array.isArray(sizes)) b.addGroup(source, sizes.map((s) => file(`g${k++}`, s)));
      else b.add(source, file(`f${k++}`, sizes));
    }
    b.flush();
    expect(buckets.map((x) => [x.source, x.files, x.bytes])).toEqual(want);
    // every entry is listed exactly once, in order
    expect(buckets.flatMap(listed)).toHaveLength(k);
    expect(buckets.flatMap(listed).map((s) => Number(s.slice(1)))).toEqual([...Array(k).keys()]);
    for (const x of buckets) expect(listed(x)).toHaveLength(x.files);
  });
});

describe('Bucketer bookkeeping', () => {
  test('ids, names, pending count and flush', () => {
    const { dir, b, buckets } = setup(2, 1e9);
    expect(b.bucketCount).toBe(0);
    expect(b.pendingFiles).toBe(0);
    b.flush(); // nothing open: no bucket
    expect(buckets).toHaveLength(0);
    b.add(0, file('a'));
    expect(b.pendingFiles).toBe(1);
    expect(b.openedAt).toBeGreaterThan(0);
    b.add(0, file('b'));
    // the cap bounds buckets, not the pool: entries wait to be planned (or an idle worker)
    expect(b.pendingFiles).toBe(2);
    b.add(0, file('c'));
    b.flush();
    b.flush();
    expect(b.bucketCount).toBe(2);
    expect(buckets).toEqual([
      { id: 1, source: 0, listFile: join(dir, 'bucket-000001.list'), logFile: join(dir, 'bucket-000001.log'), files: 2, bytes: 0, attempts: 0 },
      { id: 2, source: 0, listFile: join(dir, 'bucket-000002.list'), logFile: join(dir, 'bucket-000002.log'), files: 1, bytes: 0, attempts: 0 },
    ]);
  });

  test.each([
    [1, 'bucket-000001'],
    [42, 'bucket-000042'],
    [999999, 'bucket-999999'],
    [1234567, 'bucket-1234567'],
  ])('bucketName(%p) = %p', (id, name) => {
    expect(bucketName(id)).toBe(name);
  });
});

describe('Bucketer lists on disk', () => {
  test('NUL-separated raw bytes, with ./ before top-level # and ; names', () => {
    const { b, buckets } = setup(100, 1e9);
    const paths = [
      Buffer.from('#hash'),
      Buffer.from(';semi'),
      Buffer.from('dir/#inner'),
      Buffer.from('plain name'),
      Buffer.from('new\nline'),
      Buffer.from([0x23, 0xff, 0xfe]), // '#' + invalid UTF-8
      Buffer.from([0x62, 0x61, 0x64, 0xff]), // 'bad' + invalid UTF-8
      Buffer.from('#dir/#file'),
    ];
    for (const p of paths) b.add(0, file(p, 1));
    b.flush();
    expect(buckets).toHaveLength(1);
    const want = Buffer.concat(
      [
        Buffer.from('./#hash'),
        Buffer.from('./;semi'),
        Buffer.from('dir/#inner'),
        Buffer.from('plain name'),
        Buffer.from('new\nline'),
        Buffer.from([0x2e, 0x2f, 0x23, 0xff, 0xfe]),
        Buffer.from([0x62, 0x61, 0x64, 0xff]),
        Buffer.from('./#dir/#file'),
      ].flatMap((p) => [p, Buffer.from([0])]),
    );
    expect(Buffer.compare(readFileSync(buckets[0].listFile), want)).toBe(0);
    expect(buckets[0].files).toBe(paths.length);
    expect(buckets[0].bytes).toBe(paths.length);
  });

  test('each bucket gets its own list; a later bucket does not repeat earlier names', () => {
    const { b, buckets } = setup(2, 1e9);
    for (const p of ['a', 'b', 'c', 'd', 'e']) b.add(0, file(p));
    b.flush();
    expect(buckets.map(listed)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });
});

test('the planning floor is read at each cut: it may change during a run (a far-end daemon that answered)', () => {
  const dir = mkdtempSync(join(root, `case-${++n}-`));
  let floor: number | undefined = 5000;
  const b = new Bucketer({
    dir,
    maxFiles: 10000,
    maxBytes: 2 ** 40,
    onBucket: () => {},
    get minPieceEntries() {
      return floor;
    },
  });
  const caps = (b as unknown as { caps: { minPieceEntries?: number } }).caps;
  expect(caps.minPieceEntries).toBe(5000);
  floor = undefined;
  expect(caps.minPieceEntries).toBeUndefined();
});
