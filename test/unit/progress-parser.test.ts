import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSegment, ProgressParser, type ParsedLine, type ProgressUpdate } from '../../src/engine/progress-parser.ts';

describe('parseSegment', () => {
  test.each<[string, ParsedLine | null]>([
    [
      '      1,988,976 100%  932.79MB/s    0:00:00 (xfr#2, to-chk=0/3)',
      { type: 'progress', bytes: 1988976, percent: 100, transferred: 2, toCheck: 0, total: 3 },
    ],
    ['         32,768   1%    0.00kB/s    0:00:00', { type: 'progress', bytes: 32768, percent: 1 }],
    ['              0   0%    0.00kB/s    0:00:00  ', { type: 'progress', bytes: 0, percent: 0 }],
    // --no-human-readable: plain digits
    [
      '         100000  95%   64.12MB/s    0:00:00 (xfr#1, to-chk=3/5)',
      { type: 'progress', bytes: 100000, percent: 95, transferred: 1, toCheck: 3, total: 5 },
    ],
    // incremental recursion still scanning
    [
      '    123,456,789  42%   10.00MB/s    0:01:07 (xfr#1234, ir-chk=1000/5678)',
      { type: 'progress', bytes: 123456789, percent: 42, transferred: 1234, toCheck: 1000, total: 5678 },
    ],
    // hours, and locales that group with '.' or "'"
    ['  1.988.976  50%  1.00MB/s  12:34:56', { type: 'progress', bytes: 1988976, percent: 50 }],
    ["  1'988'976  50%  1,00MB/s  0:00:01", { type: 'progress', bytes: 1988976, percent: 50 }],
    // names (name1) and messages
    ['f1', { type: 'line', text: 'f1' }],
    ['a/', { type: 'line', text: 'a/' }],
    ['dir/file name.txt', { type: 'line', text: 'dir/file name.txt' }],
    ['#comment-looking name', { type: 'line', text: '#comment-looking name' }],
    ['sending incremental file list', { type: 'line', text: 'sending incremental file list' }],
    ['100% done', { type: 'line', text: '100% done' }],
    // a progress-looking line with trailing junk is a plain line
    ['  1,000 100%  1.00MB/s  0:00:00 (xfr#1, to-chk=0/1) extra', { type: 'line', text: '1,000 100%  1.00MB/s  0:00:00 (xfr#1, to-chk=0/1) extra' }],
    // human-readable sizes are not parsed (multisync always passes --no-human-readable)
    ['          1.99M 100%  932.79MB/s    0:00:00', { type: 'line', text: '1.99M 100%  932.79MB/s    0:00:00' }],
    // blank
    ['', null],
    ['    ', null],
    ['\t', null],
  ])('%p', (segment, want) => {
    expect(parseSegment(segment)).toEqual(want);
  });
});

const progress = (bytes: number, percent: number, xfr?: [number, number, number]): ProgressUpdate =>
  xfr
    ? { type: 'progress', bytes, percent, transferred: xfr[0], toCheck: xfr[1], total: xfr[2] }
    : { type: 'progress', bytes, percent };

// A verbatim rsync 3.x `--info=progress2,name1 --no-human-readable` stdout: names end with '\n',
// progress updates with '\r', and the update right after a finished file with '\n'.
const STREAM =
  'f1\n\r          32768  31%    0.00kB/s    0:00:00  ' +
  '\r         100000  95%   64.12MB/s    0:00:00 (xfr#1, to-chk=3/5)\n' +
  'a/\na/#x\n' +
  '\r         100003  95%   64.12MB/s    0:00:00 (xfr#2, to-chk=1/5)\n' +
  'a/f2\n' +
  '\r         105003 100%   68.89MB/s    0:00:00 (xfr#3, to-chk=0/5)' +
  '\r         105003 100%   68.89MB/s    0:00:00 (xfr#3, to-chk=0/5)\n';

const STREAM_PARSED: ParsedLine[] = [
  { type: 'line', text: 'f1' },
  progress(32768, 31),
  progress(100000, 95, [1, 3, 5]),
  { type: 'line', text: 'a/' },
  { type: 'line', text: 'a/#x' },
  progress(100003, 95, [2, 1, 5]),
  { type: 'line', text: 'a/f2' },
  progress(105003, 100, [3, 0, 5]),
  progress(105003, 100, [3, 0, 5]),
];

function parseChunks(chunks: string[]): ParsedLine[] {
  const p = new ProgressParser();
  const out: ParsedLine[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

describe('ProgressParser', () => {
  test('one chunk', () => {
    expect(parseChunks([STREAM])).toEqual(STREAM_PARSED);
  });

  test('split at every possible position', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      expect(parseChunks([STREAM.slice(0, i), STREAM.slice(i)])).toEqual(STREAM_PARSED);
    }
  });

  test('one character at a time', () => {
    expect(parseChunks([...STREAM])).toEqual(STREAM_PARSED);
  });

  test.each<[string, string[], ParsedLine[]]>([
    ['nothing', [], []],
    ['empty chunks', ['', '', ''], []],
    ['only terminators', ['\r\n\r\r\n\n'], []],
    ['\\r\\n is one terminator, not an extra line', ['a\r\nb\r\n'], [{ type: 'line', text: 'a' }, { type: 'line', text: 'b' }]],
    ['partial segment held until the terminator', ['   5000  50%  1.00MB/s', '  0:00:00', '\r'], [progress(5000, 50)]],
    ['unterminated tail is flushed by end()', ['x\nlast'], [{ type: 'line', text: 'x' }, { type: 'line', text: 'last' }]],
    [
      'mixed terminators inside one chunk',
      ['\r   10   1%  0.00kB/s  0:00:00\rname\n\r   20   2%  0.00kB/s  0:00:00\n'],
      [progress(10, 1), { type: 'line', text: 'name' }, progress(20, 2)],
    ],
    ['a number split across chunks', ['\r  1,9', '88,976 100%  1.00MB/s  0:00:00\r'], [progress(1988976, 100)]],
  ])('%s', (_label, chunks, want) => {
    expect(parseChunks(chunks)).toEqual(want);
  });

  test('push returns only complete segments; end() empties the parser', () => {
    const p = new ProgressParser();
    expect(p.push('abc')).toEqual([]);
    expect(p.push('def\nghi')).toEqual([{ type: 'line', text: 'abcdef' }]);
    expect(p.end()).toEqual([{ type: 'line', text: 'ghi' }]);
    expect(p.end()).toEqual([]);
  });

  test('a runaway unterminated segment is bounded', () => {
    const p = new ProgressParser();
    for (let i = 0; i < 20; i++) expect(p.push('x'.repeat(10_000))).toEqual([]);
    const out = p.push('\n');
    expect(out).toHaveLength(1);
    expect((out[0] as { text: string }).text.length).toBeLessThanOrEqual(65_536);
    expect(p.end()).toEqual([]);
  });
});

describe('ProgressParser on a real rsync stream', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'multisync-progress-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  test('final bytes equal the tree total', () => {
    const src = join(tmp, 'src');
    const dst = join(tmp, 'dst');
    mkdirSync(join(src, 'a', 'b'), { recursive: true });
    mkdirSync(join(src, 'empty'));
    mkdirSync(dst);
    const files: Array<[string, number]> = [
      ['f1', 300_000],
      ['a/f2', 5_000],
      ['a/#hash', 3],
      ['a/b/;semi', 70_000],
      ['a/b/space name', 1],
      ['zero', 0],
      ['a/big', 2_000_000],
    ];
    let total = 0;
    for (const [rel, size] of files) {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = (i * 7919 + size) & 0xff;
      writeFileSync(join(src, rel), data);
      total += size;
    }

    const r = spawnSync('rsync', ['-a', '--info=progress2,name1', '--no-human-readable', `${src}/`, `${dst}/`]);
    if (r.error) throw r.error;
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const stdout = r.stdout.toString('utf8');

    // feed it in awkward chunk sizes to exercise the boundaries
    const p = new ProgressParser();
    const parsed: ParsedLine[] = [];
    for (let i = 0; i < stdout.length; i += 7) parsed.push(...p.push(stdout.slice(i, i + 7)));
    parsed.push(...p.end());

    const updates = parsed.filter((x): x is ProgressUpdate => x.type === 'progress');
    expect(updates.length).toBeGreaterThan(0);
    const last = updates[updates.length - 1];
    expect(last.bytes).toBe(total);
    expect(last.percent).toBe(100);
    expect(last.toCheck).toBe(0);
    expect(last.transferred).toBe(files.length);
    // bytes never go backwards
    for (let i = 1; i < updates.length; i++) expect(updates[i].bytes).toBeGreaterThanOrEqual(updates[i - 1].bytes);

    // every file name shows up as a name line
    const names = new Set(parsed.filter((x) => x.type === 'line').map((x) => (x as { text: string }).text));
    for (const [rel] of files) expect(names.has(rel)).toBe(true);
    // and nothing but names and progress was printed
    for (const n of names) expect(n === './' || n === 'a/' || n === 'a/b/' || n === 'empty/' || files.some(([rel]) => rel === n)).toBe(true);
  });
});
