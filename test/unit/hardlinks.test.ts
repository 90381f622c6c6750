import { describe, expect, test } from 'bun:test';
import { HardlinkHold } from '../../src/engine/hardlinks.ts';
import type { Entry, EntryKind } from '../../src/engine/types.ts';

const entry = (path: string, o: { dev?: number; ino: number; nlink: number; size?: number; kind?: EntryKind }): Entry => ({
  path: Buffer.from(path),
  kind: o.kind ?? 'file',
  size: o.size ?? 0,
  ino: o.ino,
  dev: o.dev ?? 1,
  nlink: o.nlink,
});

describe('HardlinkHold.take', () => {
  test.each<[string, Entry, boolean]>([
    ['a single-link file passes through', entry('f', { ino: 1, nlink: 1, size: 10 }), false],
    ['a multiply-linked file is held', entry('f', { ino: 1, nlink: 2, size: 10 }), true],
    ['a directory is never held (its nlink counts subdirs)', entry('d', { ino: 1, nlink: 5, kind: 'dir' }), false],
    ['a hardlinked symlink is held', entry('l', { ino: 1, nlink: 2, kind: 'symlink' }), true],
    ['a hardlinked fifo is held', entry('p', { ino: 1, nlink: 3, kind: 'fifo' }), true],
  ])('%s', (_label, e, held) => {
    const h = new HardlinkHold();
    expect(h.take(e)).toBe(held);
    expect([...h.drain()].flat()).toHaveLength(held ? 1 : 0);
  });
});

describe('HardlinkHold groups', () => {
  test('groups by dev:ino; only the first name carries the size', () => {
    const h = new HardlinkHold();
    const a1 = entry('a1', { ino: 7, nlink: 3, size: 100 });
    const b1 = entry('b1', { ino: 8, nlink: 2, size: 50 });
    const a2 = entry('x/a2', { ino: 7, nlink: 3, size: 100 });
    const otherDev = entry('c1', { dev: 2, ino: 7, nlink: 2, size: 30 });
    const a3 = entry('y/a3', { ino: 7, nlink: 3, size: 100 });
    const b2 = entry('b2', { ino: 8, nlink: 2, size: 50 });
    for (const e of [a1, b1, a2, otherDev, a3, b2]) expect(h.take(e)).toBe(true);

    const groups = [...h.drain()];
    const view = groups.map((g) => g.map((e) => [e.path.toString(), e.size]));
    expect(view).toEqual([
      [
        ['a1', 100],
        ['x/a2', 0],
        ['y/a3', 0],
      ],
      [
        ['b1', 50],
        ['b2', 0],
      ],
      [['c1', 30]],
    ]);
    // the group's total is the inode's size once
    expect(groups.map((g) => g.reduce((s, e) => s + e.size, 0))).toEqual([100, 50, 30]);
    // the caller's entries are not modified
    expect(a2.size).toBe(100);
    expect(b2.size).toBe(50);
    // other fields are kept
    expect(groups[0][1]).toEqual({ ...a2, size: 0 });
  });

  test('drain empties the hold', () => {
    const h = new HardlinkHold();
    h.take(entry('a', { ino: 1, nlink: 2, size: 5 }));
    expect([...h.drain()]).toHaveLength(1);
    expect([...h.drain()]).toHaveLength(0);
    // a name seen after a drain starts a new group and carries the size again
    h.take(entry('b', { ino: 1, nlink: 2, size: 5 }));
    expect([...h.drain()].map((g) => g.map((e) => e.size))).toEqual([[5]]);
  });

  test('a partially crawled link set still drains (the other names are outside the tree)', () => {
    const h = new HardlinkHold();
    h.take(entry('only', { ino: 3, nlink: 4, size: 9 }));
    expect([...h.drain()].map((g) => g.map((e) => [e.path.toString(), e.size]))).toEqual([[['only', 9]]]);
  });
});
