import { describe, expect, test } from 'bun:test';
import { EntryPool } from '../../src/engine/entry-pool.ts';

/** A list buffer as its NUL-terminated names ('latin1' keeps every byte visible). */
const names = (list: Buffer): string[] => {
  expect(list[list.length - 1]).toBe(0);
  return list.subarray(0, -1).toString('latin1').split('\0');
};

describe('EntryPool', () => {
  test('keeps names, sizes and group starts in order; strings are latin1, buffers raw', () => {
    const p = new EntryPool();
    p.push('a/b', 10, true);
    p.push(Buffer.from([0x63, 0xff, 0x0a]), 20, true);
    p.push('d\xe9', 30, false);
    expect(p.length).toBe(3);
    expect(p.bytes).toBe(60);
    expect([p.size(0), p.size(1), p.size(2)]).toEqual([10, 20, 30]);
    expect([p.startOk(0), p.startOk(1), p.startOk(2)]).toEqual([true, true, false]);
    expect(p.lines(0, 3)).toEqual(Buffer.from([0x61, 0x2f, 0x62, 0, 0x63, 0xff, 0x0a, 0, 0x64, 0xe9, 0]));
    expect(names(p.lines(1, 2))).toEqual(['c\xff\n']);
  });

  test('groups: where the group starting at an entry ends, and what a range weighs', () => {
    const p = new EntryPool();
    p.push('a', 1, true);
    p.push('h1', 10, true);
    p.push('h2', 10, false);
    p.push('h3', 10, false);
    p.push('b', 100, true);
    expect([0, 1, 4].map((i) => p.groupEnd(i))).toEqual([1, 4, 5]);
    expect([p.sizeOf(0, 5), p.sizeOf(1, 4), p.sizeOf(2, 2)]).toEqual([131, 30, 0]);
    p.drop(1);
    expect([p.groupEnd(0), p.sizeOf(0, p.groupEnd(0))]).toEqual([3, 30]);
  });

  test("names rsync would read as comments get './' (strings and buffers)", () => {
    const p = new EntryPool();
    p.push('#x', 0, true);
    p.push(Buffer.from(';y'), 0, true);
    p.push('z#', 0, true);
    expect(names(p.lines(0, 3))).toEqual(['./#x', './;y', 'z#']);
  });

  test('drop removes from the head; what stays keeps its names and sizes across compaction and growth', () => {
    const p = new EntryPool();
    const want: Array<[string, number]> = [];
    let next = 0;
    // long names and many entries: the arena and the arrays grow, and are compacted as the head moves
    const add = (k: number) => {
      for (let i = 0; i < k; i++, next++) {
        const name = `dir-${next % 7}/${'n'.repeat(next % 300)}-${next}`;
        p.push(name, next, next % 5 !== 3);
        want.push([name, next]);
      }
    };
    add(3000);
    for (const cut of [1, 999, 1500, 10]) {
      p.drop(cut);
      want.splice(0, cut);
      add(1234);
      expect(p.length).toBe(want.length);
      expect(p.bytes).toBe(want.reduce((s, [, size]) => s + size, 0));
      expect(names(p.lines(0, p.length))).toEqual(want.map(([n]) => n));
      for (const i of [0, 1, want.length >> 1, want.length - 1]) {
        expect(p.size(i)).toBe(want[i][1]);
        expect(p.startOk(i)).toBe(want[i][1] % 5 !== 3);
      }
    }
    p.drop(p.length);
    expect(p.length).toBe(0);
    expect(p.bytes).toBe(0);
    p.push('again', 1, true);
    expect(names(p.lines(0, 1))).toEqual(['again']);
  });

  test('lines: a run of entries can be listed by a directory name instead', () => {
    const p = new EntryPool();
    for (const n of ['a', 'd/1', 'd/2', 'd/e/3', 'f', 'g/1', 'g/2']) p.push(n, 0, true);
    const dirs: Record<number, { name: Buffer; end: number }> = { 1: { name: Buffer.from('d'), end: 4 }, 5: { name: Buffer.from('g'), end: 7 } };
    expect(names(p.lines(0, 7, (i) => dirs[i]))).toEqual(['a', 'd', 'f', 'g']);
    expect(names(p.lines(1, 5, (i) => dirs[i]))).toEqual(['d', 'f']);
    expect(names(p.lines(2, 4, (i) => dirs[i]))).toEqual(['d/2', 'd/e/3']);
  });
});
