// The crawl gives the same entries, in the same order, with the same hooks, whoever reads the
// directories: the walk alone, reader threads reading ahead (prefetch), or one thread reading
// the subtree after the walk's own (split, dir-ahead.ts) — jobs that run out of budget included.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceRoot } from '../../src/engine/config.ts';
import { crawlBatches, type CrawlHooks } from '../../src/engine/crawler.ts';
import type { AheadMode } from '../../src/engine/dir-ahead.ts';

const root = mkdtempSync(join(tmpdir(), 'multisync-crawl-readers-'));
const src = join(root, 'src');

beforeAll(() => {
  // 24 top directories of 12 subdirectories of 40 files, but top-03 has 24 of 720 (a split job's
  // 8192-entry budget runs out inside it: the walk reads the rest), plus odd corners
  for (let a = 0; a < 24; a++) {
    for (let b = 0; b < (a === 3 ? 24 : 12); b++) {
      const d = join(src, `top-${String(a).padStart(2, '0')}`, `sub-${b}`);
      mkdirSync(d, { recursive: true });
      for (let f = 0; f < (a === 3 ? 720 : 40); f++) writeFileSync(join(d, `f${f}`), 'x'.repeat((a * 7 + b * 3 + f) % 50));
    }
  }
  mkdirSync(join(src, 'top-05', 'empty'));
  symlinkSync('../elsewhere', join(src, 'top-07', 'link'));
  writeFileSync(Buffer.from(join(src, 'top-09', 'caf\xe9'), 'latin1'), 'latin1 name');
  mkdirSync(join(src, 'top-11', 'sub-3', 'deeper', 'deepest'), { recursive: true });
  writeFileSync(join(src, 'top-11', 'sub-3', 'deeper', 'deepest', 'leaf'), 'leaf');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The crawl's entries and hooks, as one list of lines. */
async function walk(readers: AheadMode | undefined): Promise<string[]> {
  const seen: string[] = [];
  const hooks: CrawlHooks = {
    insideReads: true,
    readers,
    // without a mode forced: no thread for a crawl this size on a small machine
    othersIdle: () => readers !== undefined,
    onDir: (rel, st) => seen.push(`dir ${rel.toString('latin1')} ${st.size}`),
    onTreeDone: (rel) => seen.push(`done ${rel.toString('latin1')}`),
    enterDir: (rel) => seen.push(`enter ${rel.toString('latin1')}`),
    leaveDir: (rel) => seen.push(`leave ${rel.toString('latin1')}`),
  };
  for await (const batch of crawlBatches(sourceRoot(`${src}/`), hooks)) {
    for (const e of batch) seen.push(`${e.kind} ${e.path.toString('latin1')} ${e.size} ${e.ino} ${e.nlink}`);
  }
  return seen;
}

describe('crawl readers', () => {
  let alone: string[];
  test('the walk alone', async () => {
    alone = await walk(undefined);
    expect(alone.filter((l) => l.startsWith('file ')).length).toBe(23 * 12 * 40 + 24 * 720 + 2);
    expect(alone.some((l) => l.startsWith('dir top-05/empty '))).toBe(true);
  });

  test.each<AheadMode>(['split', 'prefetch'])('%s: the same entries, order and hooks', async (mode) => {
    expect(await walk(mode)).toEqual(alone);
  });
});
