// rsync's stdout scanner: the same result whatever the chunk boundaries.
import { expect, test } from 'bun:test';
import { RsyncOutput } from '../../src/engine/rsync-output.ts';

const OUTPUT = [
  './\n',
  'a.txt\n',
  '\r          1,024  10%    1.00MB/s    0:00:00  \r          2,048  20%    1.00MB/s    0:00:00 (xfr#1, to-chk=8/10)\n',
  '12 monkeys.txt\n',
  '\r          4,096  40%    2.00MB/s    0:00:00 (xfr#2, to-chk=5/10)\n',
  'rsync: [generator] failed to set times on "/d/x": Operation not permitted (1)\n',
  'cannot delete non-empty directory: y\n',
  '   \n',
  'Number of files: 10 (reg: 9, dir: 1)\n',
  'Number of regular files transferred: 1,234\n',
  'Total bytes sent: 5.678.901\n',
  'sent 5,678,901 bytes  received 1,234 bytes  1,000.00 bytes/sec\n',
  'total size is 9,999  speedup is 1.00\n',
].join('');

function scan(chunks: string[]) {
  const seen = { progress: [] as Array<[number, number | null, string | undefined]>, lines: [] as string[], errors: [] as string[], finishing: 0 };
  const out = new RsyncOutput({
    progress: (b, c, f) => seen.progress.push([b, c, f]),
    line: (l) => seen.lines.push(l),
    error: (l) => seen.errors.push(l),
    finishing: () => seen.finishing++,
  });
  for (const c of chunks) out.push(c);
  out.end();
  return { out, seen };
}

test('one chunk: names counted, progress, statistics, errors and the last line', () => {
  const { out, seen } = scan([OUTPUT]);
  expect(out.items).toBe(5);
  expect(seen.lines).toEqual(['./', 'a.txt', '12 monkeys.txt', 'rsync: [generator] failed to set times on "/d/x": Operation not permitted (1)', 'cannot delete non-empty directory: y']);
  expect(seen.errors).toEqual(['rsync: [generator] failed to set times on "/d/x": Operation not permitted (1)', 'cannot delete non-empty directory: y']);
  expect(out.bytes).toBe(4096);
  expect(out.checked).toBe(0.5);
  expect(out.transferred).toBe(1234);
  expect(out.bytesSent).toBe(5678901);
  expect(seen.finishing).toBe(1);
  expect(out.stats.split('\n').filter(Boolean)).toHaveLength(5);
  // once per chunk, with the chunk's last name
  expect(seen.progress).toEqual([[4096, 0.5, 'cannot delete non-empty directory: y']]);
});

test('any chunk boundaries give the same result', () => {
  const whole = scan([OUTPUT]).out;
  for (const size of [1, 2, 3, 7, 16, 64]) {
    const chunks: string[] = [];
    for (let i = 0; i < OUTPUT.length; i += size) chunks.push(OUTPUT.slice(i, i + size));
    const { out, seen } = scan(chunks);
    expect([out.items, out.bytes, out.checked, out.transferred, out.bytesSent, out.stats]).toEqual([whole.items, whole.bytes, whole.checked, whole.transferred, whole.bytesSent, whole.stats]);
    expect(seen.finishing).toBe(1);
    expect(seen.errors).toHaveLength(2);
  }
});

test('a last segment without terminator counts at the end', () => {
  const { out, seen } = scan(['a\nb']);
  expect(out.items).toBe(2);
  expect(seen.lines).toEqual(['a', 'b']);
});

test('a long chunk of names without a single \\r is scanned in linear time', () => {
  const names = Array.from({ length: 200_000 }, (_, i) => `dir/name-${i}\n`).join('');
  const t0 = performance.now();
  const { out } = scan([names]);
  expect(out.items).toBe(200_000);
  expect(performance.now() - t0).toBeLessThan(5000);
});
