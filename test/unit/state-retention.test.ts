import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endedCleanBefore, PRUNE_STAMP, pruneStates } from '../../src/engine/state-retention.ts';

const DAY = 24 * 3600 * 1000;
const NOW = Date.UTC(2026, 10, 24);
const CLEAN_END = { t: 'end', at: 0, status: 'ok', exitCode: 0, files: 3, bytes: 9, buckets: 1, failedBuckets: 0, skippedBuckets: 0, elapsedMs: 5 };

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'multisync-retention-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A state directory as a run leaves it, every file `ageDays` old. */
function stateDir(name: string, ageDays: number, records: object[] | string, extra: string[] = []): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'command.json'), '{}\n');
  const journal = typeof records === 'string' ? records : records.map((r) => `${JSON.stringify(r)}\n`).join('');
  writeFileSync(join(dir, 'journal.jsonl'), `{"t":"run","at":0}\n${journal}`);
  for (const e of extra) {
    if (e.endsWith('/')) mkdirSync(join(dir, e));
    else writeFileSync(join(dir, e), 'x');
  }
  const t = (NOW - ageDays * DAY) / 1000;
  for (const n of readdirSync(dir)) utimesSync(join(dir, n), t, t);
  return dir;
}

describe('which state directories a 30-day rule removes', () => {
  test.each<[string, string, number, object[] | string, string[], boolean]>([
    ['clean, 31 days old', '0123456789abcdef', 31, [CLEAN_END], [], true],
    ['clean, 29 days old', '0123456789abcdef', 29, [CLEAN_END], [], false],
    ['ended with failures (exit 1)', '0123456789abcdef', 90, [{ ...CLEAN_END, status: 'partial', exitCode: 1, failedBuckets: 1 }], [], false],
    ['interrupted: no end record (resumable)', '0123456789abcdef', 90, [{ t: 'bucket', id: 1 }], [], false],
    ['a later run started after the clean end', '0123456789abcdef', 90, [CLEAN_END, { t: 'run', at: 1 }], [], false],
    ['a record torn after the end (a later run that crashed)', '0123456789abcdef', 90, `${JSON.stringify(CLEAN_END)}\n{"t":"do`, [], false],
    ['kept with -k (lists and logs in run/)', '0123456789abcdef', 90, [CLEAN_END], ['run/'], false],
    ['failed paths left', '0123456789abcdef', 90, [CLEAN_END], ['failed.txt'], false],
    ['something else of the user\'s in it', '0123456789abcdef', 90, [CLEAN_END], ['notes.txt'], false],
    ['not a state directory name', 'my-notes', 90, [CLEAN_END], [], false],
    ['upper-case hex is not ours', '0123456789ABCDEF', 90, [CLEAN_END], [], false],
  ])('%s', (_what, name, age, records, extra, removed) => {
    const dir = stateDir(name, age, records, extra);
    expect(pruneStates(root, { days: 30, now: NOW })).toEqual(removed ? [dir] : []);
    expect(existsSync(dir)).toBe(!removed);
    // nothing half-removed is left behind
    expect(readdirSync(root).filter((n) => n.startsWith('.prune-'))).toEqual([]);
  });
});

describe('pruneStates', () => {
  test("never this run's own directory", () => {
    const dir = stateDir('00000000000000aa', 90, [CLEAN_END]);
    expect(pruneStates(root, { days: 30, now: NOW, keep: dir })).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });

  test('days 0 keeps everything', () => {
    const dir = stateDir('00000000000000aa', 900, [CLEAN_END]);
    expect(pruneStates(root, { days: 0, now: NOW })).toEqual([]);
    expect(existsSync(dir)).toBe(true);
    expect(existsSync(join(root, PRUNE_STAMP))).toBe(false);
  });

  test('looks the root over at most once a day (the stamp), unless forced', () => {
    const a = stateDir('00000000000000aa', 90, [CLEAN_END]);
    expect(pruneStates(root, { days: 30, now: NOW })).toEqual([a]);
    const b = stateDir('00000000000000bb', 90, [CLEAN_END]);
    expect(pruneStates(root, { days: 30, now: NOW + DAY / 2 })).toEqual([]);
    expect(existsSync(b)).toBe(true);
    expect(pruneStates(root, { days: 30, now: NOW + DAY / 2, force: true })).toEqual([b]);
    const c = stateDir('00000000000000cc', 90, [CLEAN_END]);
    expect(pruneStates(root, { days: 30, now: NOW + 2 * DAY })).toEqual([c]);
  });

  test("a removal that stopped half way is finished, unless its remover still runs", () => {
    const dead = join(root, '.prune-00000000000000aa-999999999');
    const running = join(root, `.prune-00000000000000bb-${process.pid}`);
    for (const d of [dead, running]) {
      mkdirSync(d);
      writeFileSync(join(d, 'journal.jsonl'), '');
    }
    pruneStates(root, { days: 30, now: NOW });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(running)).toBe(true);
  });

  test('a missing root is no error', () => {
    expect(pruneStates(join(root, 'nope'), { days: 30, now: NOW })).toEqual([]);
  });

  test('endedCleanBefore: a file, not a directory, is not a state', () => {
    writeFileSync(join(root, '00000000000000dd'), 'x');
    expect(endedCleanBefore(join(root, '00000000000000dd'), NOW)).toBe(false);
  });
});
