import { afterAll, describe, expect, test } from 'bun:test';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldJournal, Journal, lastRecord, readJournal, type JournalRecord } from '../../src/engine/journal.ts';

const tmp = mkdtempSync(join(tmpdir(), 'multisync-journal-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = () => join(tmp, `j${++n}.jsonl`);

describe('Journal', () => {
  test('records appended one by one and many at once read back in order', () => {
    const f = file();
    const j = new Journal(f);
    j.append({ t: 'bucket', id: 1, source: 0, files: 2, bytes: 3 });
    const trees: JournalRecord[] = Array.from({ length: 5000 }, (_, i) => ({ t: 'tree', source: 0, path: `d${i}/${'x'.repeat(40)}` }));
    // (more than one write's worth: the records are cut between lines, never inside one)
    j.appendAll(trees);
    j.appendAll([]);
    j.append({ t: 'crawl-done', source: 0 });
    j.close();
    const recs = readJournal(f);
    expect(recs.length).toBe(5002);
    expect(recs[0]).toEqual({ t: 'bucket', id: 1, source: 0, files: 2, bytes: 3 });
    expect(recs.slice(1, -1)).toEqual(trees);
    expect(lastRecord(f)).toEqual({ t: 'crawl-done', source: 0 });
    expect(readFileSync(f, 'utf8').endsWith('}\n')).toBe(true);
    const st = foldJournal(recs);
    expect(st.trees[0].size).toBe(5000);
    expect(st.crawlDone.has(0)).toBe(true);
  });

  test('a split goes with its parts; a torn last line ends the journal', () => {
    const f = file();
    const j = new Journal(f);
    j.appendAll([
      { t: 'bucket', id: 2, source: 0, files: 1, bytes: 1 },
      { t: 'bucket', id: 3, source: 0, files: 1, bytes: 1 },
      { t: 'split', id: 1, into: [2, 3] },
    ]);
    j.close();
    appendFileSync(f, '{"t":"done","id"');
    const st = foldJournal(readJournal(f));
    expect([...st.buckets.keys()]).toEqual([2, 3]);
    expect(st.split.has(1)).toBe(true);
    expect(st.done.size).toBe(0);
    expect(lastRecord(f, { strict: true })).toBeNull();
  });

  test('nothing is written after close', () => {
    const f = file();
    const j = new Journal(f);
    j.close();
    j.appendAll([{ t: 'crawl-done', source: 1 }]);
    expect(readJournal(f)).toEqual([]);
  });
});
