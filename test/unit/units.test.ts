import { describe, expect, test } from 'bun:test';
import { formatBytes, formatDuration, formatRate, parsePositiveInt, parseSize } from '../../src/engine/units.ts';

const K = 1024;
const M = K ** 2;
const G = K ** 3;
const T = K ** 4;
const P = K ** 5;

describe('parseSize', () => {
  test.each<[string, number]>([
    ['1', 1],
    ['4096', 4096],
    ['1K', K],
    ['1k', K],
    ['10k', 10 * K],
    ['1.5M', 1.5 * M],
    ['512m', 512 * M],
    ['1G', G],
    ['2T', 2 * T],
    ['1P', P],
    ['0.5K', 512],
    // unit spellings people actually type, all 1024-based
    ['512MiB', 512 * M],
    ['1KB', K],
    ['1kib', K],
    ['100B', 100],
    // surrounding and inner blanks are tolerated
    [' 1G ', G],
    ['1 G', G],
    // fractional bytes are floored
    ['1.5', 1],
    ['1.0001K', 1024],
  ])('%p → %p', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  test.each([
    '10KK',
    '10Q',
    'abc',
    'K',
    '0',
    '0K',
    '0.1',
    '',
    ' ',
    '-1',
    '+1',
    '1e3',
    '.5K',
    '1.',
    '1,000',
    '0x10',
    'Infinity',
    '1GG',
    '1 K B',
    // 'iB' without a K/M/G/T/P prefix is not a unit (probably a typo for e.g. '10GiB')
    '10iB',
  ])('%p is rejected', (text) => {
    expect(() => parseSize(text)).toThrow(/invalid size/);
  });

  test('the error names the input', () => {
    expect(() => parseSize('10Q')).toThrow("invalid size '10Q'");
    expect(() => parseSize('0')).toThrow(/at least 1 byte/);
  });
});

describe('parsePositiveInt', () => {
  test.each<[string, number]>([
    ['1', 1],
    ['42', 42],
    ['007', 7],
    [' 8 ', 8],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('%p → %p', (text, n) => {
    expect(parsePositiveInt(text, 'count')).toBe(n);
  });

  test.each(['0', '00', '-1', '+3', '1.5', '1e3', '', ' ', 'abc', '4x', '0x10', '9007199254740993'])('%p is rejected', (text) => {
    expect(() => parsePositiveInt(text, 'process count (-p)')).toThrow(/^invalid process count \(-p\) '/);
  });
});

describe('formatBytes', () => {
  test.each<[number, string]>([
    [0, '0 B'],
    [1, '1 B'],
    [1.6, '2 B'],
    [1023, '1023 B'],
    [K, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * K, '10.0 KiB'],
    [99.5 * K, '99.5 KiB'],
    [100 * K, '100 KiB'],
    [M, '1.00 MiB'],
    [1.25 * G, '1.25 GiB'],
    [2 * T, '2.00 TiB'],
    [P, '1.00 PiB'],
    // PiB is the largest unit
    [1024 * P, '1024 PiB'],
    // garbage in, zero out
    [-5, '0 B'],
    [Number.NaN, '0 B'],
    [Number.POSITIVE_INFINITY, '0 B'],
  ])('%p → %p', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe('formatRate', () => {
  test.each<[number, string]>([
    [0, '0 B/s'],
    [512, '512 B/s'],
    [M, '1.00 MiB/s'],
    [150 * M, '150 MiB/s'],
    [Number.NaN, '0 B/s'],
  ])('%p → %p', (n, text) => {
    expect(formatRate(n)).toBe(text);
  });
});

describe('formatDuration', () => {
  test.each<[number, string]>([
    [0, '0.0s'],
    [49, '0.0s'],
    [4200, '4.2s'],
    [59_940, '59.9s'],
    // never a non-canonical '60.0s'
    [59_950, '1m00s'],
    [59_999, '1m00s'],
    [60_000, '1m00s'],
    [63_000, '1m03s'],
    [63_499, '1m03s'],
    [63_500, '1m04s'],
    [600_000, '10m00s'],
    [3_599_000, '59m59s'],
    [3_600_000, '1h00m00s'],
    [3_723_000, '1h02m03s'],
    [36_000_000, '10h00m00s'],
    [100 * 3_600_000, '100h00m00s'],
    [-1, '0.0s'],
    [Number.NaN, '0.0s'],
  ])('%p ms → %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
