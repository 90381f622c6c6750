import { describe, expect, test } from 'bun:test';
import { clampFraction, ratio } from '../../src/ui/format.ts';

describe('clampFraction: into [0, 1], 0 when not a number', () => {
  test.each([
    [0, 0],
    [0.25, 0.25],
    [1, 1],
    [1.5, 1],
    [-0.5, 0],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 0],
    [Number.NEGATIVE_INFINITY, 0],
  ])('clampFraction(%p) -> %p', (f: number, want: number) => expect(clampFraction(f)).toBe(want));
});

describe('ratio: done/total, 0 when the total is unknown', () => {
  test.each([
    [0, 10, 0],
    [5, 10, 0.5],
    [10, 10, 1],
    [15, 10, 1],
    [5, 0, 0],
    [5, -1, 0],
    [-5, 10, 0],
    [5, Number.NaN, 0],
  ])('ratio(%p, %p) -> %p', (done: number, total: number, want: number) => expect(ratio(done, total)).toBe(want));
});
