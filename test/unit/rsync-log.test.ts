// Table tests for the command line written at the top of a bucket's log (rsync-log.ts).
import { describe, expect, test } from 'bun:test';
import { commandLine } from '../../src/engine/rsync-log.ts';

describe('commandLine: the command for the log, a long tail of names cut', () => {
  const many = Array.from({ length: 50 }, (_, i) => `f${i}`);
  const cases: Array<[string, string, string[], number | undefined, string]> = [
    ['no arguments', 'rsync', [], undefined, '"rsync"'],
    ['every argument quoted', '/usr/bin/rsync', ['-a', 'src/', 'dst'], undefined, '"/usr/bin/rsync" "-a" "src/" "dst"'],
    ['quotes, spaces and backslashes as JSON strings', 'rsync', ['a b', 'it"s', 'c\\d'], undefined, '"rsync" "a b" "it\\"s" "c\\\\d"'],
    ['exactly `max` arguments: all shown', 'rsync', ['a', 'b', 'c'], 3, '"rsync" "a" "b" "c"'],
    ['one more than `max`: the first max - 1, a count, the last', 'rsync', ['a', 'b', 'c', 'd'], 3, '"rsync" "a" "b" "… 1 more …" "d"'],
    ['the default max of 40', 'rsync', many, undefined, ['rsync', ...many.slice(0, 39), '… 10 more …', 'f49'].map((a) => JSON.stringify(a)).join(' ')],
  ];
  for (const [what, rsync, argv, max, expected] of cases) {
    test(what, () => {
      expect(max === undefined ? commandLine(rsync, argv) : commandLine(rsync, argv, max)).toBe(expected);
    });
  }

  test('the argv is only read', () => {
    const argv = ['a', 'b', 'c', 'd'];
    commandLine('rsync', argv, 2);
    expect(argv).toEqual(['a', 'b', 'c', 'd']);
  });
});
