// The crawl's directory readers: the reader threads (their code runs from a string, the
// destination check's functions from their source text) must give exactly what a read on the
// main thread gives, check codes included.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkListing, type DestDir } from '../../src/engine/dest-probe.ts';
import { DirReaderPool, readDirNow } from '../../src/engine/dir-reader.ts';

const root = mkdtempSync(join(tmpdir(), 'multisync-dir-reader-'));
const src = join(root, 'src');
const dst = join(root, 'dst');
const policy = { perms: true, owner: false, group: true, hardlinks: false };
let pool: DirReaderPool;

beforeAll(async () => {
  for (const d of [src, dst]) {
    mkdirSync(join(d, 'sub-same'), { recursive: true });
    mkdirSync(join(d, 'sub-other'), { recursive: true });
    writeFileSync(join(d, 'same'), 'same');
    writeFileSync(join(d, 'mode'), 'mode');
    symlinkSync('target-1', join(d, 'link'));
  }
  writeFileSync(join(src, 'size'), 'a');
  writeFileSync(join(dst, 'size'), 'ab');
  writeFileSync(join(src, 'only-in-src'), 'x');
  mkdirSync(join(src, 'dir-only-in-src'));
  // a name that is not UTF-8 (byte 0xe9): read back as the latin1 string 'caf\xe9'
  writeFileSync(Buffer.from(`${src}/caf\xe9`, 'latin1'), 'latin1 name');
  symlinkSync('target-2', join(src, 'link2'));
  symlinkSync('target-3', join(dst, 'link2'));
  chmodSync(join(dst, 'mode'), 0o600);
  chmodSync(join(src, 'mode'), 0o644);
  for (const d of [src, dst]) {
    for (const n of ['same', 'mode', 'size', 'sub-same']) utimesSync(join(d, n), 1_600_000_000, 1_600_000_000);
  }
  utimesSync(join(src, 'sub-other'), 1_600_000_000, 1_600_000_000);
  utimesSync(join(dst, 'sub-other'), 1_600_000_100, 1_600_000_100);
  pool = await DirReaderPool.create(2);
});

afterAll(() => {
  pool.close();
  rmSync(root, { recursive: true, force: true });
});

const dest: () => DestDir = () => ({ dir: dst, ascii: true, policy });

describe('DirReaderPool', () => {
  test('without a destination: the same names and stats as a read here', async () => {
    const here = readDirNow(src, true);
    const there = await pool.read(src, true);
    if ('error' in here || 'error' in there) throw new Error('read failed');
    expect(there.names).toEqual(here.names);
    for (let i = 0; i < here.names.length; i++) {
      const a = here.stats[i] as { mode: number; size: number; ino: number };
      const b = there.stats[i] as { mode: number; size: number; ino: number };
      expect([b.mode, b.size, b.ino]).toEqual([a.mode, a.size, a.ino]);
    }
  });

  test('a full read (for the destination check): the same from a thread, and the right check codes', async () => {
    const here = readDirNow(src, true, true);
    const there = await pool.read(src, true, true);
    if ('error' in here || 'error' in there) throw new Error('read failed');
    expect(there.names).toEqual(here.names);
    expect(there.stats).toEqual(here.stats);
    expect([...there.num!]).toEqual([...here.num!]);
    // mtime's whole seconds (field 5) are exact integers for every name
    expect(here.names.every((_, i) => Number.isInteger(here.num![i * 9 + 5]))).toBe(true);
    const codes = checkListing(there, src, true, dest());
    expect([...checkListing(here, src, true, dest())]).toEqual([...codes]);
    const code = Object.fromEntries(here.names.map((n, i) => [n, codes[i]]));
    expect(code).toEqual({
      'caf\xe9': 0,
      'dir-only-in-src': 0,
      link: 1,
      link2: 0,
      mode: 0,
      'only-in-src': 0,
      same: 1,
      size: 0,
      'sub-other': 2,
      'sub-same': 1,
    });
  });

  test('a directory that cannot be read is an error, from either reader', async () => {
    const missing = join(root, 'nope');
    expect('error' in readDirNow(missing, true, true)).toBe(true);
    expect('error' in (await pool.read(missing, true, true))).toBe(true);
  });
});
