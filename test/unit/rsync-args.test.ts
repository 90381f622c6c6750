import { describe, expect, test } from 'bun:test';
import { bucketArgs, hasFlag, listPath, reservedOption, splitOptions, withSlash, type BucketArgv } from '../../src/engine/rsync-args.ts';

describe('splitOptions', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['   ', []],
    ['\t\n', []],
    ['-a', ['-a']],
    ['-aS --numeric-ids', ['-aS', '--numeric-ids']],
    ['  -a \t -v\n-z  ', ['-a', '-v', '-z']],
    ["-a --exclude='*.tmp'", ['-a', '--exclude=*.tmp']],
    ['"--rsh=ssh -p 22"', ['--rsh=ssh -p 22']],
    ['--rsh="ssh -p 22" -a', ['--rsh=ssh -p 22', '-a']],
    ["'it'\"'\"'s'", ["it's"]],
    ['"a b"c\' d\'', ['a bc d']],
    // backslash outside quotes escapes the next character
    ['a\\ b', ['a b']],
    ['\\"x\\"', ['"x"']],
    ['\\\\', ['\\']],
    // a trailing lone backslash is kept literally
    ['a\\', ['a\\']],
    // inside double quotes only \" and \\ are escapes
    ['"a\\"b"', ['a"b']],
    ['"a\\\\b"', ['a\\b']],
    ['"a\\nb"', ['a\\nb']],
    // inside single quotes nothing is an escape
    ["'a\\b'", ['a\\b']],
    ["'a\\'", ['a\\']],
    // an empty quoted word is still a word
    ["''", ['']],
    ['-a "" -v', ['-a', '', '-v']],
    ['--exclude="#*"', ['--exclude=#*']],
  ])('%p → %p', (text, words) => {
    expect(splitOptions(text)).toEqual(words);
  });

  test.each(['"abc', "'abc", '-a "x', "-a --exclude='*.tmp", '"a\\"'])('%p: unterminated quote throws', (text) => {
    expect(() => splitOptions(text)).toThrow(/unterminated/);
  });
});

describe('reservedOption', () => {
  test.each<[string[], string | undefined]>([
    [[], undefined],
    [['-aS', '--numeric-ids'], undefined],
    [['--files-from=x'], '--files-from=x'],
    [['-a', '--files-from', 'x'], '--files-from'],
    [['--from0'], '--from0'],
    [['-0'], '-0'],
    [['--include-from=list'], '--include-from=list'],
    [['--include-from'], '--include-from'],
    [['--exclude-from=list'], undefined],
    [['--files-fromage'], undefined],
    [['--from0x'], undefined],
    [['-a', '--from0', '--files-from=y'], '--from0'],
  ])('%p → %p', (opts, found) => {
    expect(reservedOption(opts)).toBe(found);
  });
});

describe('hasFlag (H / --hard-links)', () => {
  test.each<[string[], boolean]>([
    [[], false],
    [['-a'], false],
    [['-aH'], true],
    [['-Ha'], true],
    [['-avHS'], true],
    [['-a', '-H'], true],
    [['--hard-links'], true],
    [['-a', '--hard-links'], true],
    [['--hard-links-x'], false],
    [['--no-hard-links'], false],
    [['---hard-links'], false],
    [['-h'], false],
    [['--exclude=H'], false],
    [['--exclude', 'H'], false],
    [['-aS', '--numeric-ids'], false],
  ])('%p → %p', (opts, has) => {
    expect(hasFlag(opts, 'H', 'hard-links')).toBe(has);
  });

  test('other letters', () => {
    expect(hasFlag(['-aS'], 'S', 'sparse')).toBe(true);
    expect(hasFlag(['--sparse'], 'S', 'sparse')).toBe(true);
    expect(hasFlag(['-a'], 'S', 'sparse')).toBe(false);
  });
});

describe('listPath', () => {
  const b = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s) : Buffer.from(s));
  test.each<[string, Buffer, Buffer]>([
    ['#name', b('#name'), b('./#name')],
    [';name', b(';name'), b('./;name')],
    ['#', b('#'), b('./#')],
    ['#dir/file', b('#dir/file'), b('./#dir/file')],
    ['plain', b('plain'), b('plain')],
    ['dir/#inner', b('dir/#inner'), b('dir/#inner')],
    ['dir/;inner', b('dir/;inner'), b('dir/;inner')],
    [' #space-first', b(' #space-first'), b(' #space-first')],
    ['empty', b(''), b('')],
    ['#\\xff\\xfe (not UTF-8)', b([0x23, 0xff, 0xfe]), b([0x2e, 0x2f, 0x23, 0xff, 0xfe])],
    [';\\x80', b([0x3b, 0x80]), b([0x2e, 0x2f, 0x3b, 0x80])],
    ['\\xff# (not UTF-8)', b([0xff, 0x23]), b([0xff, 0x23])],
  ])('%s', (_label, rel, want) => {
    expect(Buffer.compare(listPath(rel), want)).toBe(0);
  });

  test('an unprotected path is returned as is', () => {
    const rel = Buffer.from('a/b');
    expect(listPath(rel)).toBe(rel);
  });
});

describe('withSlash', () => {
  test.each([
    ['dst', 'dst/'],
    ['dst/', 'dst/'],
    ['/', '/'],
    ['host:', 'host:/'],
    ['host:/d', 'host:/d/'],
  ])('%p → %p', (p, want) => {
    expect(withSlash(p)).toBe(want);
  });
});

describe('bucketArgs', () => {
  /**
   * The argv contract: user options first, then (in this order) --rsh=, --dry-run, --from0,
   * --files-from=, --info=progress2,name1, --no-human-readable, and base then destination/ last.
   * Other multisync options may sit between them; these must keep their relative order.
   */
  function expectArgv(b: BucketArgv, ordered: string[], absent: string[] = []) {
    const argv = bucketArgs(b);
    expect(argv.slice(0, b.userOpts.length)).toEqual(b.userOpts);
    expect(argv.slice(-2)).toEqual([b.base, withSlash(b.destination)]);
    const at = ordered.map((o) => argv.indexOf(o));
    for (let i = 0; i < ordered.length; i++) {
      expect(at[i]).toBeGreaterThanOrEqual(b.userOpts.length);
      expect(argv.lastIndexOf(ordered[i])).toBe(at[i]); // exactly once
      if (i) expect(at[i]).toBeGreaterThan(at[i - 1]);
    }
    expect(at[at.length - 1]).toBeLessThan(argv.length - 2);
    for (const a of absent) expect(argv.some((x) => x === a || x.startsWith(`${a}=`))).toBe(false);
    return argv;
  }

  test.each<[string, BucketArgv, string[], string[]]>([
    [
      'everything',
      { userOpts: ['-aS', '--numeric-ids'], rsh: 'ssh -p 22', dryRun: true, listFile: '/tmp/b/bucket-000001.list', base: 'src/', destination: 'host:/dst' },
      ['--rsh=ssh -p 22', '--dry-run', '--from0', '--files-from=/tmp/b/bucket-000001.list', '--info=progress2,name1', '--no-human-readable'],
      [],
    ],
    [
      'no rsh, no dry run',
      { userOpts: ['-a'], listFile: 'l', base: './', destination: 'dst/' },
      ['--from0', '--files-from=l', '--info=progress2,name1', '--no-human-readable'],
      ['--rsh', '--dry-run'],
    ],
    [
      'no user options, dryRun false, empty rsh',
      { userOpts: [], dryRun: false, rsh: '', listFile: 'l', base: '/', destination: '/mnt/x' },
      ['--from0', '--files-from=l', '--info=progress2,name1', '--no-human-readable'],
      ['--rsh', '--dry-run'],
    ],
    [
      'a user -h comes before --no-human-readable, which wins',
      { userOpts: ['-ah'], listFile: 'l', base: 'a/', destination: 'b' },
      ['--from0', '--files-from=l', '--info=progress2,name1', '--no-human-readable'],
      [],
    ],
    [
      'a list path with spaces stays one word',
      { userOpts: ['-a'], listFile: '/tmp/my dir/bucket-000002.list', base: 'my src/', destination: 'my dst' },
      ['--from0', '--files-from=/tmp/my dir/bucket-000002.list', '--info=progress2,name1', '--no-human-readable'],
      [],
    ],
    [
      'a recursing list',
      { userOpts: ['-a'], listFile: 'l', base: 's/', destination: 'd', recursive: true },
      ['--recursive', '--from0', '--files-from=l'],
      ['--no-inc-recursive'],
    ],
    [
      'a recursing list from a remote sender: its whole file list first',
      { userOpts: ['-a'], listFile: 'l', base: 'host:s/', destination: 'd', recursive: true, wholeList: true },
      ['--recursive', '--no-inc-recursive', '--from0', '--files-from=l'],
      [],
    ],
    [
      'no recursion: no whole list either',
      { userOpts: ['-a'], listFile: 'l', base: 'host:s/', destination: 'd', wholeList: true },
      ['--from0', '--files-from=l'],
      ['--recursive', '--no-inc-recursive'],
    ],
  ])('%s', (_label, b, ordered, absent) => {
    expectArgv(b, ordered, absent);
  });

  test('the exact argv today', () => {
    const argv = bucketArgs({ userOpts: ['-aS'], rsh: 'ssh', dryRun: true, listFile: 'l', base: 's/', destination: 'd' });
    expect(argv[0]).toBe('-aS');
    expect(argv.slice(-2)).toEqual(['s/', 'd/']);
    expect(argv.filter((a) => a.startsWith('--files-from'))).toEqual(['--files-from=l']);
  });

  test('does not mutate the user options', () => {
    const userOpts = ['-a'];
    bucketArgs({ userOpts, rsh: 'ssh', listFile: 'l', base: 'a/', destination: 'b' });
    expect(userOpts).toEqual(['-a']);
  });
});
