import { describe, expect, test } from 'bun:test';
import { defaultProcesses, isRemote, sourceRoot } from '../../src/engine/config.ts';
import { insideReadsFor } from '../../src/engine/feed.ts';
import { fnv1a64 } from '../../src/engine/state.ts';

describe('sourceRoot (rsync trailing-slash rule)', () => {
  test.each<[string, string, string]>([
    // contents of the directory
    ['src/', 'src/', ''],
    ['a/b/', 'a/b/', ''],
    ['/a/b/c/', '/a/b/c/', ''],
    ['/', '/', ''],
    ['.', './', ''],
    ['./', './', ''],
    ['..', '../', ''],
    ['../', '../', ''],
    ['a/.', 'a/./', ''],
    ['a/..', 'a/../', ''],
    ['a//', 'a//', ''],
    // the directory itself: base is its parent
    ['src', './', 'src'],
    ['a/b', 'a/', 'b'],
    ['/a', '/', 'a'],
    ['/a/b/c', '/a/b/', 'c'],
    ['./src', './', 'src'],
    ['../x', '../', 'x'],
    ['#hash', './', '#hash'],
  ])('%p → base %p, prefix %p', (arg, base, prefix) => {
    expect(sourceRoot(arg)).toEqual({ arg, base, prefix });
  });

  test('base always ends with a slash', () => {
    for (const a of ['x', 'x/', '.', '..', '/', '/x', 'a/b/c']) expect(sourceRoot(a).base.endsWith('/')).toBe(true);
  });
});

describe('isRemote', () => {
  test.each<[string, boolean]>([
    ['host:path', true],
    ['host:', true],
    ['user@host:/p', true],
    ['host::mod/p', true],
    ['host:/a/b:c', true],
    ['rsync://host/mod', true],
    ['./a:b', false],
    ['/x:y', false],
    ['a/b:c', false],
    ['C', false],
    ['plain', false],
    ['', false],
    ['/', false],
  ])('%p → %p', (p, remote) => {
    expect(isRemote(p)).toBe(remote);
  });
});

describe('defaultProcesses', () => {
  test.each<[number, number]>([
    [0, 2],
    [1, 3],
    [2, 4],
    [4, 6],
    [6, 8],
    [7, 8],
    [8, 8],
    [128, 8],
  ])('%p cores → %p', (cores, n) => {
    expect(defaultProcesses(cores)).toBe(n);
  });
});

describe('fnv1a64 (state directory names)', () => {
  test.each([
    ['', 'cbf29ce484222325'],
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
  ])('%j', (text, want) => {
    expect(fnv1a64(text)).toBe(want);
  });
});

describe('insideReadsFor (the crawl reads from inside directories only when no path rsync gets is relative)', () => {
  test.each<[string[], string, boolean]>([
    [['/data/src/'], '/backup/dst', true],
    [['/data/src'], 'host:/dst', true],
    [['/a/', '/b'], 'host:rel/dst', true],
    [['src/'], '/backup/dst', false],
    [['src'], '/backup/dst', false],
    [['/data/src/'], 'dst', false],
    [['/data/src/'], './dst', false],
    [['/a/', 'b/'], '/dst', false],
  ])('%j -> %j: %p', (sources, destination, want) => {
    expect(insideReadsFor({ sources: sources.map(sourceRoot), destination })).toBe(want);
  });
});
