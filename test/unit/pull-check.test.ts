// The destination check of a pull (src/engine/pull-check.ts): a remote listing's record
// (find-records.ts CHECK_FORMAT) against an lstat of its local DST twin.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { chmodSync, lstatSync, lutimesSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecord } from '../../src/engine/find-records.ts';
import { sameInDest, srcMeta } from '../../src/engine/pull-check.ts';
import { tempDir } from '../e2e/helpers.ts';

const tmp = tempDir();
const dst = tmp.path;
const T = 1_600_000_000;
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
const policy = { perms: true, owner: true, group: true, hardlinks: false };
afterAll(() => tmp.cleanup());

beforeAll(() => {
  writeFileSync(join(dst, 'f'), 'four');
  chmodSync(join(dst, 'f'), 0o644);
  utimesSync(join(dst, 'f'), T, T);
  mkdirSync(join(dst, 'd'));
  chmodSync(join(dst, 'd'), 0o755);
  utimesSync(join(dst, 'd'), T, T);
  symlinkSync('target', join(dst, 'l'));
  lutimesSync(join(dst, 'l'), T, T);
  writeFileSync(join(dst, 'name with space'), 'x');
  utimesSync(join(dst, 'name with space'), T, T);
  chmodSync(join(dst, 'name with space'), 0o600);
});

/** A CHECK_FORMAT record: head fields, then the path (its NUL-ended link target comes apart). */
const record = (head: string, path: string) => parseRecord(Buffer.from(`${head} ${path}`, 'latin1'), 4)!;

test('a CHECK_FORMAT record: the five fields, the four more, and a path with spaces', () => {
  const r = record(`f 4 12 34 1 ${T}.0000000000 644 ${uid} ${gid}`, 'a b/c');
  expect(r).toMatchObject({ kind: 'file', size: 4, ino: 12, dev: 34, nlink: 1, extra: [`${T}.0000000000`, '644', String(uid), String(gid)] });
  expect(r.rel.toString()).toBe('a b/c');
  expect(srcMeta(r)).toMatchObject({ mode: 0o100644, size: 4, mtimeS: T, uid, gid, nlink: 1 });
  expect(srcMeta(record(`f 4 12 34 1 soon 644 ${uid} ${gid}`, 'x'))).toBeNull();
});

test.each<[string, string, string, string, boolean]>([
  ['the same file', `f 4 1 1 1 ${T}.0000000000 644 ${uid} ${gid}`, 'f', '', true],
  ['a fraction of the same second', `f 4 1 1 1 ${T}.7500000000 644 ${uid} ${gid}`, 'f', '', true],
  ['another second', `f 4 1 1 1 ${T + 1}.0000000000 644 ${uid} ${gid}`, 'f', '', false],
  ['another size', `f 5 1 1 1 ${T}.0000000000 644 ${uid} ${gid}`, 'f', '', false],
  ['other permissions', `f 4 1 1 1 ${T}.0000000000 600 ${uid} ${gid}`, 'f', '', false],
  ['another group', `f 4 1 1 1 ${T}.0000000000 644 ${uid} ${gid + 1}`, 'f', '', false],
  ['missing in DST', `f 4 1 1 1 ${T}.0000000000 644 ${uid} ${gid}`, 'nope', '', false],
  ['a directory where DST has a file', `d 4096 1 1 2 ${T}.0000000000 644 ${uid} ${gid}`, 'f', '', false],
  ['the same directory', `d 4096 1 1 2 ${T}.0000000000 755 ${uid} ${gid}`, 'd', '', true],
  ['a directory with another mtime', `d 4096 1 1 2 ${T - 5}.0000000000 755 ${uid} ${gid}`, 'd', '', false],
  ['the same symlink', `l 6 1 1 1 ${T}.0000000000 777 ${uid} ${gid}`, 'l', 'target', true],
  ['a symlink to elsewhere', `l 6 1 1 1 ${T}.0000000000 777 ${uid} ${gid}`, 'l', 'tarGet', false],
  ['a name with a space', `f 1 1 1 1 ${T}.0000000000 600 ${uid} ${gid}`, 'name with space', '', true],
])('%s → %p', (_what, head, path, link, want) => {
  const meta = srcMeta(record(head, path))!;
  expect(sameInDest(dst, Buffer.from(path), meta, Buffer.from(link), policy)).toBe(want);
});

test('owners are compared only when the policy says so (rsync sets them only as the super-user)', () => {
  const meta = srcMeta(record(`f 4 1 1 1 ${T}.0000000000 644 ${uid + 1} ${gid}`, 'f'))!;
  expect(sameInDest(dst, Buffer.from('f'), meta, Buffer.alloc(0), policy)).toBe(false);
  expect(sameInDest(dst, Buffer.from('f'), meta, Buffer.alloc(0), { ...policy, owner: false })).toBe(true);
  expect(lstatSync(join(dst, 'f')).uid).toBe(uid);
});
