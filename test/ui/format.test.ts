import { describe, expect, test } from 'bun:test';
import {
  cell,
  formatBytes,
  formatCompact,
  formatCount,
  formatDuration,
  formatFileRate,
  formatPercent,
  formatRate,
  progressBar,
  sanitize,
  sparkline,
  stringWidth,
  truncateEnd,
  truncateMiddle,
  truncateStart,
} from '../../src/ui/format.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('formatBytes', () => {
  test.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1.5 * MiB, '1.5 MiB'],
    [12.3 * MiB, '12.3 MiB'],
    [1023.96 * KiB, '1.0 MiB'],
    [999.9 * GiB, '999.9 GiB'],
    [5 * 1024 * GiB, '5.0 TiB'],
    [-1, '?'],
    [Number.NaN, '?'],
    [Number.POSITIVE_INFINITY, '?'],
  ])('%p -> %p', (n, want) => {
    expect(formatBytes(n)).toBe(want);
  });
});

describe('formatRate', () => {
  test.each([
    [0, '0 B/s'],
    [12.3 * MiB, '12.3 MiB/s'],
    [900 * KiB, '900.0 KiB/s'],
  ])('%p -> %p', (n, want) => {
    expect(formatRate(n)).toBe(want);
  });
});

describe('formatCount / formatCompact / formatFileRate / formatPercent', () => {
  test.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1234567, '1,234,567'],
    [-1234, '-1,234'],
  ])('formatCount(%p) -> %p', (n, want) => expect(formatCount(n)).toBe(want));

  test.each([
    [999, '999'],
    [1000, '1.0k'],
    [1234, '1.2k'],
    [99_999, '100k'],
    [123_456, '123k'],
    [999_999, '1.0M'],
    [4_500_000, '4.5M'],
  ])('formatCompact(%p) -> %p', (n, want) => expect(formatCompact(n)).toBe(want));

  test.each([
    [0, '0.0 files/s'],
    [0.5, '0.5 files/s'],
    [1234.4, '1,234 files/s'],
  ])('formatFileRate(%p) -> %p', (n, want) => expect(formatFileRate(n)).toBe(want));

  test.each([
    [0, '0.0%'],
    [0.4567, '45.6%'],
    [0.99999, '99.9%'],
    [1, '100.0%'],
    [2, '100.0%'],
    [Number.NaN, '0.0%'],
  ])('formatPercent(%p) -> %p', (n, want) => expect(formatPercent(n)).toBe(want));
});

describe('formatDuration', () => {
  test.each([
    [0, '0s'],
    [999, '0s'],
    [5_000, '5s'],
    [59_999, '59s'],
    [60_000, '1m00s'],
    [123_000, '2m03s'],
    [3_723_000, '1h02m03s'],
    [86_399_000, '23h59m59s'],
    [(2 * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000, '2d03h04m'],
    [null, '--'],
    [-1, '--'],
    [Number.NaN, '--'],
  ])('%p -> %p', (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });
});

describe('stringWidth / sanitize', () => {
  test.each([
    ['abc', 3],
    ['日本語', 6],
    ['é', 1],
    ['e\u0301', 1],
    ['', 0],
  ])('stringWidth(%p) -> %p', (s, want) => expect(stringWidth(s)).toBe(want));

  test.each([
    ['plain', 'plain'],
    ['a\nb', 'a?b'],
    ['\x1b[31mred', '?[31mred'],
    ['tab\there', 'tab?here'],
    ['bidi\u202Eevil', 'bidi?evil'],
  ])('sanitize(%p) -> %p', (s, want) => expect(sanitize(s)).toBe(want));
});

describe('truncateMiddle', () => {
  test.each([
    ['short.txt', 20, 'short.txt'],
    ['exactly10!', 10, 'exactly10!'],
    ['abcdefghijklmnopqrstuvwxyz', 10, 'abc…uvwxyz'],
    ['abcdefghijklmnopqrstuvwxyz', 1, '…'],
    ['abcdefghijklmnopqrstuvwxyz', 0, ''],
    ['dir/sub/file-name.txt', 12, 'dir…name.txt'],
    ['日本語日本語日本語', 7, '日…本語'],
    ['bad\nname\x1b.txt', 40, 'bad?name?.txt'],
  ])('(%p, %p) -> %p', (s, w, want) => {
    const got = truncateMiddle(s, w);
    expect(got).toBe(want);
    expect(stringWidth(got)).toBeLessThanOrEqual(w);
  });

  test('never exceeds the width, for any width', () => {
    const names = ['projects/2019/very-long-directory/sample.fastq.gz', '日本語のファイル名/データ.csv', 'e\u0301'.repeat(30)];
    for (const name of names) {
      for (let w = 0; w < 60; w++) expect(stringWidth(truncateMiddle(name, w))).toBeLessThanOrEqual(w);
    }
  });
});

describe('truncateStart / truncateEnd / cell', () => {
  test.each([
    ['a/b/c/file.txt', 9, '…file.txt'],
    ['short', 9, 'short'],
  ])('truncateStart(%p, %p) -> %p', (s, w, want) => expect(truncateStart(s, w)).toBe(want));

  test.each([
    ['rsync: error in file IO', 10, 'rsync: er…'],
    ['short', 9, 'short'],
  ])('truncateEnd(%p, %p) -> %p', (s, w, want) => expect(truncateEnd(s, w)).toBe(want));

  test.each([
    ['ab', 5, 'left', 'ab   '],
    ['ab', 5, 'right', '   ab'],
    ['abcdefgh', 5, 'left', 'abcd…'],
    ['日本語', 5, 'left', '日本…'],
    ['日本語', 4, 'left', '日… '],
  ] as const)('cell(%p, %p, %p) -> %p', (s, w, align, want) => {
    expect(cell(s, w, align)).toBe(want);
  });
});

describe('sparkline', () => {
  test.each([
    [[0, 1, 2, 3, 4, 5, 6, 7], 8, '▁▂▃▄▅▆▇█'],
    [[5, 5, 5], 3, '███'],
    [[0, 0, 0], 3, '▁▁▁'],
    [[], 4, '    '],
    [[1, 2], 4, '  ▅█'],
    [[100, 0, 1, 2, 3, 4, 5, 6, 7], 8, '▁▂▃▄▅▆▇█'],
    [[Number.NaN, -3, 7], 3, '▁▁█'],
    [[1, 2, 3], 0, ''],
  ])('(%p, %p) -> %p', (values, width, want) => {
    const got = sparkline(values, width);
    expect(got).toBe(want);
    expect(stringWidth(got)).toBe(width);
  });
});

describe('progressBar', () => {
  test.each([
    [0, 10, '..........'],
    [0.5, 10, '#####.....'],
    [0.999, 10, '#########.'],
    [1, 10, '##########'],
    [1.5, 4, '####'],
    [-1, 4, '....'],
    [Number.NaN, 4, '....'],
    [0.5, 0, ''],
  ])('(%p, %p) -> %p', (f, w, want) => {
    const got = progressBar(f, w);
    expect(got).toBe(want);
    expect(/^[#.]*$/.test(got)).toBe(true);
  });
});
