import { describe, expect, test } from 'bun:test';
import { checkPolicy, metaOf, sameEntry, type CheckPolicy, type MetaStat } from '../../src/engine/dest-check.ts';

const ALL: CheckPolicy = { perms: true, owner: true, group: true, hardlinks: false };

describe('checkPolicy', () => {
  const cases: Array<[string[], boolean, CheckPolicy | null]> = [
    [['-aS', '--numeric-ids'], true, { perms: true, owner: true, group: true, hardlinks: false }],
    [['-aS', '--numeric-ids'], false, { perms: true, owner: false, group: true, hardlinks: false }],
    [['-aH'], true, { perms: true, owner: true, group: true, hardlinks: true }],
    [['-rlt'], true, { perms: false, owner: false, group: false, hardlinks: false }],
    [['-a', '--no-perms', '--no-o'], true, { perms: false, owner: false, group: true, hardlinks: false }],
    [['-a', '--bwlimit=10M', '--timeout=30', '-v'], false, { perms: true, owner: false, group: true, hardlinks: false }],
    [['--archive', '--hard-links'], false, { perms: true, owner: false, group: true, hardlinks: true }],
    // rsync may act on entries that look the same to a stat: the check is off
    [['-ac'], true, null],
    [['-a', '--checksum'], true, null],
    [['-aI'], true, null],
    [['-aAX'], true, null],
    [['-a', '--chmod=u+w'], true, null],
    [['-aL'], true, null],
    [['-a', '--modify-window=2'], true, null],
    [['-a', '--compare-dest=/x'], true, null],
    [['-a', '--bwlimit'], true, null],
    [['-a', 'stray'], true, null],
  ];
  test.each(cases)('%j root=%p', (opts, root, want) => {
    expect(checkPolicy(opts, root)).toEqual(want);
  });
});

const file = (o: Partial<MetaStat> = {}): MetaStat => ({ mode: 0o100644, size: 10, mtimeS: 1_600_000_000, uid: 1000, gid: 1000, rdev: 0, nlink: 1, ...o });

describe('sameEntry', () => {
  const cases: Array<[string, MetaStat, MetaStat | null, CheckPolicy, boolean, boolean]> = [
    ['identical file', file(), file(), ALL, false, true],
    ['missing in DST', file(), null, ALL, false, false],
    ['size differs', file(), file({ size: 11 }), ALL, false, false],
    ['mtime seconds differ', file(), file({ mtimeS: 1_600_000_001 }), ALL, false, false],
    ['mode differs with -p', file(), file({ mode: 0o100600 }), ALL, false, false],
    ['mode differs without -p', file(), file({ mode: 0o100600 }), { ...ALL, perms: false }, false, true],
    ['setuid bit counts', file({ mode: 0o104755 }), file({ mode: 0o100755 }), ALL, false, false],
    ['owner differs with -o as root', file(), file({ uid: 0 }), ALL, false, false],
    ['owner differs, not root', file(), file({ uid: 0 }), { ...ALL, owner: false }, false, true],
    ['group differs with -g', file(), file({ gid: 0 }), ALL, false, false],
    ['type differs (file vs dir)', file(), file({ mode: 0o040644 }), ALL, false, false],
    ['linked file with -H', file({ nlink: 2 }), file({ nlink: 2 }), { ...ALL, hardlinks: true }, false, false],
    ['DST linked with -H', file(), file({ nlink: 3 }), { ...ALL, hardlinks: true }, false, false],
    ['linked file without -H', file({ nlink: 2 }), file(), ALL, false, true],
    ['symlink, same target', file({ mode: 0o120777, size: 5 }), file({ mode: 0o120777, size: 5 }), ALL, true, true],
    ['symlink, other target of the same length', file({ mode: 0o120777, size: 5 }), file({ mode: 0o120777, size: 5 }), ALL, false, false],
    ['symlink, other length', file({ mode: 0o120777, size: 5 }), file({ mode: 0o120777, size: 6 }), ALL, true, false],
    ['symlink mode bits do not matter', file({ mode: 0o120777, size: 5 }), file({ mode: 0o120755, size: 5 }), ALL, true, true],
    ['device, same number', file({ mode: 0o020644, rdev: 259 }), file({ mode: 0o020644, rdev: 259 }), ALL, false, true],
    ['device, other number', file({ mode: 0o020644, rdev: 259 }), file({ mode: 0o020644, rdev: 260 }), ALL, false, false],
    ['directory, same', file({ mode: 0o040755, size: 4096 }), file({ mode: 0o040755, size: 8192 }), ALL, false, true],
    ['directory, other mtime', file({ mode: 0o040755 }), file({ mode: 0o040755, mtimeS: 1 }), ALL, false, false],
    ['fifo, same', file({ mode: 0o010644, size: 0 }), file({ mode: 0o010644, size: 0 }), ALL, false, true],
  ];
  test.each(cases)('%s', (_name, src, dst, policy, linkSame, want) => {
    expect(sameEntry(src, dst, policy, linkSame)).toBe(want);
  });
});

describe('metaOf: whole seconds of an mtime, exact or in doubt', () => {
  const n = (mtimeMs: number) => ({ mode: 0o100644, size: 1, uid: 0, gid: 0, rdev: 0, nlink: 1, mtimeMs }) as unknown as import('node:fs').Stats;
  const b = (mtimeNs: bigint) => ({ mode: 0o100644n, size: 1n, uid: 0n, gid: 0n, rdev: 0n, nlink: 1n, mtimeNs }) as unknown as import('node:fs').BigIntStats;
  const cases: Array<[string, import('node:fs').Stats | import('node:fs').BigIntStats, number]> = [
    ['number, sub-second part', n(1_600_000_000_123.4568), 1_600_000_000],
    ['number, just after a second', n(1_600_000_000_000.25), 1_600_000_000],
    // Bun rounds 1600000000.999999999 s up to this: it could be either second
    ['number, exactly a whole second: in doubt', n(1_600_000_001_000), NaN],
    ['number, before 1970', n(-1500.5), -2],
    ['bigint, a ns before a second', b(1_600_000_000_999_999_999n), 1_600_000_000],
    ['bigint, a whole second', b(1_600_000_001_000_000_000n), 1_600_000_001],
    ['bigint, before 1970', b(-1_500_000_000n), -2],
  ];
  test.each(cases)('%s', (_name, st, want) => {
    expect(metaOf(st).mtimeS).toBe(want);
  });
});
