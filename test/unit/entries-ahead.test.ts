// The crawl's estimate of the entries still ahead, from which dir-ahead.ts judges whether the
// crawl is long enough for its reader threads to start early (EARLY_MS).
import { describe, expect, test } from 'bun:test';
import { entriesAhead } from '../../src/engine/dir-ahead.ts';

const dirs = (...nlinks: number[]) => nlinks.map((nlink) => ({ st: { nlink } }));

describe('entriesAhead', () => {
  const rows: Array<[string, ReturnType<typeof dirs> | Array<{ st?: { nlink: number } }>, number, number, number]> = [
    ['nothing read yet', dirs(102, 102), 0, 0, 0],
    ['one directory read: no average yet', dirs(102, 102), 1, 20, 0],
    ['leaves only: one directory each', dirs(2, 2, 2), 2, 100, 150],
    ['20 directories of 100 subdirectories, 100 entries a directory', dirs(...Array(20).fill(102)), 2, 200, 20 * 101 * 100],
    ['btrfs: every directory has 1 link, no subdirectories announced', dirs(1, 1, 1, 1), 4, 400, 400],
    ['a stack node without its lstat counts itself', [{}, { st: { nlink: 5 } }], 2, 10, (1 + 4) * 5],
    ['an empty stack: nothing ahead', [], 10, 1000, 0],
  ];
  for (const [name, stack, dirsRead, entriesRead, want] of rows) {
    test(name, () => expect(entriesAhead(stack, dirsRead, entriesRead)).toBe(want));
  }
});
