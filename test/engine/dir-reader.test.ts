// The crawl's directory readers: the reader threads (their code runs from a string, the
// destination check's functions from their source text) must give exactly what a read on the
// main thread gives, check codes included, for every directory a job reads below its starts.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkListing, type DestDir } from '../../src/engine/dest-probe.ts';
import { readDirNow } from '../../src/engine/dir-reader.ts';
import { crawlDone, crawlStarts } from '../../src/engine/inside-dir.ts';
import { TreePool, type Listed } from '../../src/engine/tree-pool.ts';

const root = mkdtempSync(join(tmpdir(), 'multisync-dir-reader-'));
const src = join(root, 'src');
const dst = join(root, 'dst');
const policy = { perms: true, owner: false, group: true, hardlinks: false };
let pool: TreePool;

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
  for (const d of [src, dst]) {
    mkdirSync(join(d, 'sub-same/deeper/deepest'), { recursive: true });
    writeFileSync(join(d, 'sub-same/deeper/deepest/leaf'), 'leaf');
    utimesSync(join(d, 'sub-same/deeper/deepest/leaf'), 1_600_000_000, 1_600_000_000);
  }
  writeFileSync(join(src, 'sub-other/in-other'), 'x');
  utimesSync(join(src, 'sub-other'), 1_600_000_000, 1_600_000_000);
  pool = await TreePool.create(2);
  await pool.whenReady();
  // main-thread reads go inside directories, as in a crawl of a run whose paths are absolute
  crawlStarts(true);
});

afterAll(() => {
  crawlDone();
  pool.close();
  rmSync(root, { recursive: true, force: true });
});

const dest: () => DestDir = () => ({ dir: dst, ascii: true, policy });

/** One job from SRC's top (its DST twin checked), with this budget. */
async function job(budget: number, withDest = true, xdev = -1): Promise<Map<string, Listed>> {
  const m = await pool.run({ starts: [{ dir: src, ascii: true, dest: withDest ? { dir: dst, ascii: true } : undefined }], policy, budget, xdev });
  if (!m) throw new Error('pool broke');
  return m;
}

const read = (l: Listed | undefined) => {
  if (!l || 'error' in l.listing) throw new Error('read failed');
  return l.listing;
};

describe('TreePool', () => {
  test('without a destination: the same names and stats as a read here, subdirectories included', async () => {
    const m = await job(1e9, false);
    expect([...m.keys()].map((d) => d.slice(src.length))).toEqual(['', '/dir-only-in-src', '/sub-other', '/sub-same', '/sub-same/deeper', '/sub-same/deeper/deepest']);
    for (const [dir, l] of m) {
      const here = readDirNow(dir, true);
      if ('error' in here) throw new Error('read failed');
      const there = read(l);
      expect(there.names).toEqual(here.names);
      expect(there.num).toBeUndefined();
      for (let i = 0; i < here.names.length; i++) {
        const a = here.stats[i] as { mode: number; size: number; ino: number };
        const b = there.stats[i] as { mode: number; size: number; ino: number };
        expect([b.mode, b.size, b.ino]).toEqual([a.mode, a.size, a.ino]);
      }
    }
  });

  test('a full read (for the destination check): the same from a thread, and the right check codes', async () => {
    const m = await job(1e9);
    const here = readDirNow(src, true, true);
    const top = m.get(src)!;
    const there = read(top);
    if ('error' in here) throw new Error('read failed');
    expect(there.names).toEqual(here.names);
    expect(there.stats).toEqual(here.stats);
    expect([...there.num!]).toEqual([...here.num!]);
    // mtime's whole seconds (field 5) are exact integers for every name
    expect(here.names.every((_, i) => Number.isInteger(here.num![i * 9 + 5]))).toBe(true);
    const codes = top.check!;
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
    // below: DST twins as the walk gives them (none below a directory DST lacks)
    for (const [dir, l] of m) {
      const rel = dir.slice(src.length);
      const twin = rel === '/dir-only-in-src' ? undefined : { ...dest(), dir: dst + rel };
      const near = readDirNow(dir, true, twin !== undefined);
      if ('error' in near) throw new Error('read failed');
      expect(read(l).names).toEqual(near.names);
      expect(l.check ? [...l.check] : undefined).toEqual(twin ? [...checkListing(near, dir, true, twin)] : undefined);
    }
    expect([...m.get(`${src}/sub-same/deeper/deepest`)!.check!]).toEqual([1]);
    expect([...m.get(`${src}/sub-other`)!.check!]).toEqual([0]);
  });

  test('the budget: every start is read, nothing below it once the budget is spent', async () => {
    expect([...(await job(1)).keys()]).toEqual([src]);
    // the top holds 10 names: with 11, the walk order goes on until one more name is read
    const some = await job(11);
    expect([...some.keys()].map((d) => d.slice(src.length))).toEqual(['', '/dir-only-in-src', '/sub-other']);
  });

  test('rsync -x: subdirectories on another device are not entered', async () => {
    expect([...(await job(1e9, true, 123456789)).keys()]).toEqual([src]);
  });

  test('a read from inside the directory (main thread, 8+ names) leaves the working directory as it was', () => {
    const cwd = process.cwd();
    // (where the reads went: the directories chdir was given)
    const went: string[] = [];
    const chdir = process.chdir;
    process.chdir = (d: string) => {
      went.push(d);
      chdir(d);
    };
    let here: ReturnType<typeof readDirNow>;
    try {
      here = readDirNow(src, true, true);
      if ('error' in here) throw new Error('read failed');
      expect(here.names.length).toBeGreaterThanOrEqual(8);
      checkListing(here, src, true, dest());
    } finally {
      process.chdir = chdir;
    }
    expect(went).toEqual([src, cwd, dst, cwd]);
    expect(process.cwd()).toBe(cwd);
    // the same stats as by whole paths (a directory given relative to the working directory is read from outside)
    process.chdir(root);
    try {
      const outside = readDirNow('src', true, true);
      if ('error' in outside) throw new Error('read failed');
      expect(process.cwd()).toBe(root);
      expect([...outside.num!]).toEqual([...here.num!]);
      expect([...checkListing(outside, 'src', true, { ...dest(), dir: 'dst' })]).toEqual([...checkListing(here, src, true, dest())]);
    } finally {
      process.chdir(cwd);
    }
  });

  test('a directory that cannot be read is an error, from either reader', async () => {
    const missing = join(root, 'nope');
    expect('error' in readDirNow(missing, true, true)).toBe(true);
    const m = await pool.run({ starts: [{ dir: missing, ascii: true }], budget: 10, xdev: -1 });
    expect('error' in m!.get(missing)!.listing).toBe(true);
  });
});
