import { describe, expect, test } from 'bun:test';
import { crawlLimit } from '../../src/engine/crawl-hold.ts';

describe('crawlLimit: the cap on rsyncs while a local crawl holds a core', () => {
  test.each<[string, boolean, number, number, number | null]>([
    ['more cores than -p: no cap', false, 8, 4, null],
    ['as many cores as -p: one core left to the crawl', false, 4, 4, 3],
    ['fewer cores than -p: one core left to the crawl', false, 2, 8, 1],
    ['one core: still one rsync', false, 1, 4, 1],
    ['a remote source: no cap', true, 2, 8, null],
    ['a remote source and more cores than -p: no cap', true, 8, 4, null],
  ])('%s', (_what: string, remoteSource: boolean, cores: number, processes: number, expected: number | null) => {
    expect(crawlLimit(remoteSource, cores, processes)).toBe(expected);
  });
});
