// Reading SRC while DST's listing arrives (early-reads.ts): the directories are read in the
// walk's order under the names the walk uses, and a crawl that waited for its destination check
// gives the same entries, hooks and check results as one that had it from the start.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceRoot } from '../../src/engine/config.ts';
import { crawlBatches, type CrawlHooks } from '../../src/engine/crawler.ts';
import { readWhileWaiting } from '../../src/engine/early-reads.ts';

const root = mkdtempSync(join(tmpdir(), 'multisync-early-reads-'));
const src = join(root, 'src');
const dst = join(root, 'dst');
const never = new Promise<void>(() => {});

beforeAll(() => {
  for (let a = 0; a < 6; a++) {
    for (let b = 0; b < 4; b++) {
      const d = join(src, `top-${a}`, `sub-${b}`);
      mkdirSync(d, { recursive: true });
      for (let f = 0; f < 30; f++) writeFileSync(join(d, `f${f}`), 'x'.repeat((a + b + f) % 20));
    }
  }
  mkdirSync(join(src, 'top-1', 'empty'));
  symlinkSync('../elsewhere', join(src, 'top-2', 'link'));
  mkdirSync(Buffer.from(join(src, 'top-3', 'caf\xe9'), 'latin1'));
  writeFileSync(Buffer.from(join(src, 'top-3', 'caf\xe9', 'd\xe9j\xe0'), 'latin1'), 'latin1 names');
  expect(spawnSync('cp', ['-a', src, dst]).status).toBe(0);
  // DST differs in one file (size) and one directory's mtime
  writeFileSync(join(dst, 'top-4', 'sub-1', 'f3'), 'changed, longer');
  utimesSync(join(dst, 'top-5', 'sub-2'), 1_000_000, 1_000_000);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readWhileWaiting', () => {
  test('reads the whole tree, depth first in sorted order, keyed as the walk names directories', async () => {
    const read = await readWhileWaiting(never, src, true, -1);
    const dirs = [...read.keys()].map((d) => d.slice(src.length) || '/');
    expect(dirs.slice(0, 4)).toEqual(['/', '/top-0', '/top-0/sub-0', '/top-0/sub-1']);
    expect(dirs).toContain('/top-1/empty');
    expect(dirs).toContain('/top-3/caf\xe9');
    expect(dirs).not.toContain('/top-2/link');
    expect(dirs.length).toBe(1 + 6 + 6 * 4 + 2);
    const top3 = read.get(`${src}/top-3/caf\xe9`)!;
    expect('names' in top3 && top3.names).toEqual(['d\xe9j\xe0']);
    expect('names' in top3 && top3.num?.length).toBe(9);
  });

  test('stops at its budget, at another device (-x), and when the run is cancelled', async () => {
    const some = await readWhileWaiting(never, src, true, -1, undefined, 40);
    expect(some.size).toBeGreaterThan(1);
    expect(some.size).toBeLessThan(8);
    expect((await readWhileWaiting(never, src, true, 12345)).size).toBe(1); // -x: another device's directories are not read
    const cancelled = new AbortController();
    cancelled.abort();
    expect((await readWhileWaiting(never, src, true, -1, cancelled.signal)).size).toBe(0);
  });
});

/** The crawl's entries and hooks as lines; `late`: its destination check comes only after SRC was read. */
async function walk(late: 'no' | 'yes' | 'never'): Promise<string[]> {
  const seen: string[] = [];
  const check = { root: dst, policy: { perms: true, owner: false, group: true, hardlinks: false } };
  const hooks: CrawlHooks = {
    insideReads: true,
    destCheck: late === 'no' ? check : undefined,
    onDir: (rel) => seen.push(`dir ${rel.toString('latin1')}`),
    onTreeDone: (rel) => seen.push(`done ${rel.toString('latin1')}`),
    onSame: (size) => seen.push(`same ${size}`),
    onDirDiffers: () => seen.push('dir differs'),
  };
  if (late !== 'no') {
    // the listing "arrives" once the whole tree was read ahead (or never has a check: it failed)
    hooks.destReady = async () => {
      await readWhileWaiting(never, src, true, -1);
      if (late === 'yes') hooks.destCheck = check;
    };
  }
  for await (const batch of crawlBatches(sourceRoot(`${src}/`), hooks)) {
    for (const e of batch) seen.push(`${e.kind} ${e.path.toString('latin1')} ${e.size}`);
  }
  return seen;
}

describe('a crawl whose destination check arrives late', () => {
  test('gives what a crawl with it from the start gives', async () => {
    const first = await walk('no');
    // only what differs goes on: the changed file, the directory with another mtime
    expect(first.filter((l) => /^(file|dir|symlink) /.test(l) && !l.startsWith('dir ')).sort()).toEqual(['file top-4/sub-1/f3 8']);
    expect(first.filter((l) => l === 'dir differs').length).toBe(1);
    expect(await walk('yes')).toEqual(first);
  });

  test('with no check after all (the listing failed), every entry goes on', async () => {
    const all = await walk('never');
    expect(all.filter((l) => l.startsWith('file ')).length).toBe(6 * 4 * 30 + 1);
    expect(all.some((l) => l.startsWith('same '))).toBe(false);
  });
});
