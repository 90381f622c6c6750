// The listing of a DST on an ssh host (remote-dest.ts): find's fields read exactly, or not at all.
import { describe, expect, test } from 'bun:test';
import { parseHead, parseListing, wholeSeconds } from '../../src/engine/remote-dest.ts';

describe('wholeSeconds (find %T@)', () => {
  test.each([
    ['1600000000.0000000000', 1600000000],
    ['1600000000.9999999990', 1600000000], // a ns before the next second: still this one
    ['1600000001', 1600000001],
    ['0.0000000010', 0],
    ['-1.5000000000', -2],
    ['-2.0000000000', -2],
    ['', NaN],
    ['12a.5', NaN],
  ])('%p → %p', (t, want) => {
    expect(wholeSeconds(t)).toEqual(want);
  });
});

describe('parseHead (%y %s %T@ %m %U %G %n)', () => {
  test('a file, a directory, a symlink, a fifo', () => {
    expect(parseHead('f 12 1600000000.5000000000 644 1000 100 2')).toEqual({ mode: 0o100644, size: 12, mtimeS: 1600000000, uid: 1000, gid: 100, nlink: 2, rdev: 0 });
    expect(parseHead('d 4096 1600000000.0000000000 2755 0 0 3')?.mode).toBe(0o042755);
    expect(parseHead('l 8 1600000000.0000000000 777 0 0 1')?.mode).toBe(0o120777);
    expect(parseHead('p 0 1600000000.0000000000 644 0 0 1')?.mode).toBe(0o010644);
  });

  test('devices never match (find prints no device numbers)', () => {
    expect(parseHead('c 0 1600000000.0000000000 666 0 0 1')?.rdev).toBeNaN();
    expect(parseHead('b 0 1600000000.0000000000 660 0 6 1')?.rdev).toBeNaN();
  });

  test.each([
    ['x 12 1600000000.5 644 1 1 1'], // unknown type (a door, say)
    ['f 12 1600000000.5 644 1 1'], // a field missing
    ['f -1 1600000000.5 644 1 1 1'],
    ['f 12 1600000000.5 9999 1 1 1'], // not octal
    ['f 12 soon 644 1 1 1'],
  ])('malformed: %p', (head) => {
    expect(parseHead(head)).toBeNull();
  });
});

describe('parseListing (head, path, link target, each NUL-ended)', () => {
  const rec = (head: string, path: string, link = '') => `${head}\0${path}\0${link}\0`;
  const root = rec('d 4096 1600000000.0000000000 755 0 0 3', '');
  const file = rec('f 12 1600000000.5000000000 644 0 0 1', 'a\nb');
  const link = rec('l 6 1600000000.0000000000 777 0 0 1', 'ln', 'target');

  test('a whole listing: every entry by its path, symlinks with their target', () => {
    const index = parseListing(Buffer.from(root + file + link, 'latin1'))!;
    expect([...index.keys()]).toEqual(['', 'a\nb', 'ln']);
    expect(index.get('a\nb')?.size).toBe(12);
    expect(index.get('ln')?.link?.toString()).toBe('target');
  });

  test.each([
    ['cut off in a record', (root + file).slice(0, -3)],
    ['a malformed head', root + rec('x 1 1 644 0 0 1', 'odd')],
    ['no record for DST itself', file],
  ])('none for %s', (_why, text) => {
    expect(parseListing(Buffer.from(text, 'latin1'))).toBeNull();
  });
});
