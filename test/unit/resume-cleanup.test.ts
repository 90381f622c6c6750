import { afterAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastRecord } from '../../src/engine/journal.ts';
import type { DestIndex, DestRecord } from '../../src/engine/remote-dest.ts';
import { remoteTempFiles } from '../../src/engine/resume-cleanup.ts';
import type { Bucket } from '../../src/engine/types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'multisync-cleanup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILE: DestRecord = { mode: 0o100600, size: 1, mtimeS: 0, uid: 0, gid: 0, nlink: 1, rdev: 0 };
const DIR: DestRecord = { ...FILE, mode: 0o040755 };
let n = 0;

/** A bucket whose list holds `records` (latin1 strings, NUL-separated as the bucketer writes them). */
function bucket(records: string[]): Bucket {
  const listFile = join(tmp, `b${++n}.list`);
  writeFileSync(listFile, Buffer.from(records.map((r) => `${r}\0`).join(''), 'latin1'));
  return { id: n, source: 0, listFile, logFile: `${listFile}.log`, files: records.length, bytes: 0, attempts: 1 };
}

const index = (entries: Array<[string, DestRecord]>): DestIndex => new Map([['', DIR], ...entries]);

// the source the buckets come from: `whole/` has sub/a.bin (so a temp of it counts), not b.bin
const src = join(tmp, 'src');
mkdirSync(join(src, 'whole', 'sub'), { recursive: true });
writeFileSync(join(src, 'whole', 'sub', 'a.bin'), 'a');

describe('remoteTempFiles: which of a remote DST\'s files are the started buckets\' rsync temp files', () => {
  test.each<[string, string[], Array<[string, DestRecord]>, string[]]>([
    ['a temp of a listed name, top level', ['f1'], [['f1', FILE], ['.f1.Ab3dE9', FILE]], ['.f1.Ab3dE9']],
    ['a temp of a listed name, in a directory', ['d/f1'], [['d', DIR], ['d/.f1.zzzzzz', FILE]], ['d/.f1.zzzzzz']],
    ['"./"-anchored records', ['./d/f1'], [['d', DIR], ['d/.f1.zzzzzz', FILE]], ['d/.f1.zzzzzz']],
    ['a temp of a name no started bucket holds', ['f1'], [['.f2.Ab3dE9', FILE]], []],
    ['the same name in another directory', ['d/f1'], [['e', DIR], ['e/.f1.zzzzzz', FILE]], []],
    ['not six characters after the name', ['f1'], [['.f1.Ab3dE', FILE], ['.f1.Ab3dE9x', FILE]], []],
    ['a directory named like a temp file', ['f1'], [['.f1.Ab3dE9', DIR]], []],
    ['a symlink named like a temp file', ['f1'], [['.f1.Ab3dE9', { ...FILE, mode: 0o120777 }]], []],
    ['a name with a newline and latin1 bytes', ['d/a\nb\xe9'], [['d', DIR], ['d/.a\nb\xe9.q1w2e3', FILE]], ['d/.a\nb\xe9.q1w2e3']],
    ['below a directory a bucket names whole: the source has the name', ['whole'], [['whole', DIR], ['whole/sub', DIR], ['whole/sub/.a.bin.Ab3dE9', FILE]], ['whole/sub/.a.bin.Ab3dE9']],
    ['below a directory a bucket names whole: the source lacks the name (DST\'s own)', ['whole'], [['whole', DIR], ['whole/sub', DIR], ['whole/sub/.b.bin.Ab3dE9', FILE]], []],
    ['a listed name that is a file in DST names no subtree', ['whole'], [['whole', FILE], ['whole/sub/.a.bin.Ab3dE9', FILE]], []],
  ])('%s', (_what, records, entries, expected) => {
    expect(remoteTempFiles([bucket(records)], index(entries), () => `${src}/`).sort()).toEqual(expected.sort());
  });

  test('a bucket whose list is gone counts for nothing', () => {
    const b = bucket(['f1']);
    rmSync(b.listFile);
    expect(remoteTempFiles([b], index([['.f1.Ab3dE9', FILE]]), () => `${src}/`)).toEqual([]);
  });
});

describe('lastRecord', () => {
  const journal = (text: string) => {
    const f = join(tmp, `j${++n}.jsonl`);
    writeFileSync(f, text);
    return f;
  };
  test.each<[string, string, unknown]>([
    ['an end record', '{"t":"run","at":1}\n{"t":"end","exitCode":0}\n', { t: 'end', exitCode: 0 }],
    ['a run still under way', '{"t":"run","at":1}\n{"t":"done","id":3}\n', { t: 'done', id: 3 }],
    ['a torn last line: the whole one before it', '{"t":"run","at":1}\n{"t":"do', { t: 'run', at: 1 }],
    ['empty', '', null],
  ])('%s', (_what, text, expected) => {
    expect(lastRecord(journal(text))).toEqual(expected as never);
  });

  test('only the end is read: a long journal', () => {
    const f = journal(`${'{"t":"done","id":1}\n'.repeat(10_000)}{"t":"end","exitCode":1}\n`);
    expect(lastRecord(f)).toEqual({ t: 'end', exitCode: 1 } as never);
  });

  test('strict: a torn last line gives null', () => {
    expect(lastRecord(journal('{"t":"end","exitCode":0}\n{"t":"ru'), { strict: true })).toBeNull();
  });

  test('no file', () => expect(lastRecord(join(tmp, 'none.jsonl'))).toBeNull());
});
