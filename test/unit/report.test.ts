import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedPathLines, printable, statsBlock } from '../../src/commands/report.ts';
import type { Summary } from '../../src/engine/summary.ts';

describe('printable', () => {
  test.each<[string, string | Buffer, string]>([
    ['plain', 'plain', 'plain'],
    ['spaces kept', 'a b  c', 'a b  c'],
    ['newline', 'a\nb', 'a\\nb'],
    ['tab', 'a\tb', 'a\\tb'],
    ['carriage return', 'a\rb', 'a\\x0db'],
    ['escape sequence', '\x1b[31mred', '\\x1b[31mred'],
    ['NUL', 'a\0b', 'a\\x00b'],
    ['DEL', 'a\x7fb', 'a\\x7fb'],
    ['C1 control (CSI)', 'a\u009b2Jb', 'a\\x9b2Jb'],
    ['C1 NEL', '\u0085', '\\x85'],
    ['backslash doubled (escapes stay unambiguous)', 'a\\nb', 'a\\\\nb'],
    ['UTF-8 kept', 'héllo wörld ✓ 日本', 'héllo wörld ✓ 日本'],
    ['emoji kept', '📁 dir', '📁 dir'],
    ['NBSP kept', 'a\u00a0b', 'a\u00a0b'],
    ['Buffer, valid UTF-8', Buffer.from('dir/é\n'), 'dir/é\\n'],
    ['Buffer, one invalid byte', Buffer.from([0x61, 0xff, 0x62]), 'a\\?b'],
    ['Buffer, two invalid bytes', Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]), 'bad\\?\\?'],
    ['Buffer, truncated sequence', Buffer.from([0x78, 0xc3]), 'x\\?'],
    ['Buffer, latin1 é', Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'caf\\?'],
    ['Buffer, control and invalid', Buffer.from([0x09, 0xff, 0x0a]), '\\t\\?\\n'],
    ['empty', '', ''],
    ['empty Buffer', Buffer.alloc(0), ''],
  ])('%s', (_label, input, want) => {
    expect(printable(input)).toBe(want);
  });

  test('output never contains a control character', () => {
    const all = Buffer.from([...Array(256).keys()]);
    const out = printable(all) + printable(all.toString('latin1'));
    expect(/[\u0000-\u001f\u007f-\u009f]/.test(out)).toBe(false);
  });
});

const summary = (o: Partial<Summary> = {}): Summary =>
  ({
    status: 'ok',
    exitCode: 0,
    files: 500,
    bytes: 10 * 1024 ** 2,
    filesTotal: 1000,
    bytesTotal: 20 * 1024 ** 2,
    filesTransferred: 500,
    bytesSent: 10 * 1024 ** 2,
    filesUnchanged: 0,
    bytesUnchanged: 0,
    deleted: 0,
    buckets: 10,
    failedBuckets: 1,
    skippedBuckets: 2,
    leftoverBuckets: 0,
    retried: 3,
    crawlErrors: 4,
    crawlWarnings: 1,
    elapsedMs: 10_000,
    crawlMs: 2_500,
    failures: [],
    ...o,
  }) as Summary;

const rows = (block: string): Map<string, string> => {
  const m = new Map<string, string>();
  for (const l of block.split('\n').slice(1)) {
    const i = l.indexOf(' : ');
    m.set(l.slice(0, i).trim(), l.slice(i + 3));
  }
  return m;
};

describe('statsBlock', () => {
  test('has msrsync-style fields with the right values', () => {
    const block = statsBlock(summary());
    expect(block.split('\n')[0]).toBe('multisync statistics');
    const r = rows(block);
    // the entries row names both counts (its wording may grow with new statistics)
    expect(r.get('Entries')).toMatch(/\b500\b.*\b1000\b|\b1000\b.*\b500\b/);
    expect(Object.fromEntries(r)).toMatchObject({
      Status: 'OK',
      'Exit code': '0',
      Size: '10.0 MiB of 20.0 MiB',
      Buckets: '10 (1 failed, 2 skipped, 3 retried)',
      'Mean entries per bucket': '100.0',
      'Mean size per bucket': '2.00 MiB',
      'Entries per second': '50.0',
      Throughput: '1.00 MiB/s',
      'Crawl time': '2.5s (25.0% of total)',
      'Crawl errors': '4 (1 vanished)',
      'Total time': '10.0s',
    });
  });

  test('the colons line up', () => {
    const lines = statsBlock(summary()).split('\n').slice(1);
    expect(lines.length).toBeGreaterThanOrEqual(12);
    const cols = new Set(lines.map((l) => l.indexOf(' : ')));
    expect(cols.size).toBe(1);
    for (const l of lines) expect(l.startsWith('  ')).toBe(true);
  });

  test.each<[string, Partial<Summary>]>([
    ['no buckets, no time', { files: 0, bytes: 0, filesTotal: 0, bytesTotal: 0, buckets: 0, failedBuckets: 0, elapsedMs: 0, crawlMs: 0 }],
    ['instant run', { elapsedMs: 0, crawlMs: 0 }],
  ])('%s: no NaN or Infinity', (_label, o) => {
    const block = statsBlock(summary(o));
    expect(block).not.toMatch(/NaN|Infinity/);
  });

  test.each<[Summary['status'], string]>([
    ['ok', 'OK'],
    ['failed', 'FAILED'],
    ['cancelled', 'CANCELLED'],
    ['dry-run', 'DRY-RUN'],
  ])('status %p', (status, shown) => {
    expect(rows(statsBlock(summary({ status }))).get('Status')).toBe(shown);
  });

  test('long runs use h/m/s', () => {
    expect(rows(statsBlock(summary({ elapsedMs: 3_723_000, crawlMs: 63_000 }))).get('Total time')).toBe('1h02m03s');
  });

  test.each<[Summary['ssh'], string | undefined]>([
    [undefined, undefined], // no ssh: no row
    [{ rttMs: 0.39, sessionMs: 160.2, connections: 1 }, 'round trip 0.39 ms, session start 160 ms, 1 connection'],
    [{ rttMs: 31.27, sessionMs: null, connections: 8 }, 'round trip 31 ms, session start not timed, 8 connections'],
    [{ rttMs: 0.4, sessionMs: 131.5, connections: 1, daemonBuckets: 7 }, 'round trip 0.40 ms, session start 132 ms, 1 connection, 7 buckets through the far daemon'],
    [{ rttMs: 0.4, sessionMs: 131.5, connections: 1, daemonBuckets: 0, daemonOff: 'the far user is not root' }, 'round trip 0.40 ms, session start 132 ms, 1 connection, no far daemon (the far user is not root)'],
  ])('the ssh row of %p', (ssh, shown) => {
    expect(rows(statsBlock(summary({ ssh }))).get('SSH')).toBe(shown);
  });
});

describe('failedPathLines', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'multisync-report-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const list = (name: string, paths: Buffer[]): string => {
    const f = join(dir, name);
    writeFileSync(f, Buffer.concat(paths.flatMap((p) => [p, Buffer.from([0])])));
    return f;
  };
  const failure = (bucket: number, listFile: string, files: number) => ({
    bucket,
    files,
    listFile,
    logFile: listFile.replace(/\.list$/, '.log'),
    exitCode: 23,
    error: 'rsync: some error',
  });
  const names = (n: number, tag: string) => Array.from({ length: n }, (_, i) => Buffer.from(`${tag}${i}`));
  const pathLines = (lines: string[]) => lines.filter((l) => l.startsWith('  ') && !l.startsWith('  …'));

  test('names every path, printable, with a header per bucket', () => {
    const f = list('b1.list', [Buffer.from('ok'), Buffer.from('./#hash'), Buffer.from([0x61, 0x0a, 0xff])]);
    const lines = failedPathLines(summary({ failures: [failure(1, f, 3)] }));
    expect(lines[0]).toContain('bucket 1 failed (exit 23): rsync: some error');
    expect(lines[0]).toContain(f.replace(/\.list$/, '.log'));
    expect(pathLines(lines).map((l) => l.split(': ').slice(1).join(': '))).toEqual(['ok', './#hash', 'a\\n\\?']);
    expect(lines.some((l) => l.includes('more'))).toBe(false);
  });

  test.each<[string, number[], number, number, number]>([
    // label, paths per failed bucket, max, path lines shown, "… N more"
    ['under the cap', [3, 4], 10, 7, 0],
    ['exactly the cap', [5, 5], 10, 10, 0],
    ['over the cap in one bucket', [15], 10, 10, 5],
    ['over the cap across buckets', [150, 150], 200, 200, 100],
    ['cap reached by the first bucket', [200, 30, 40], 200, 200, 70],
  ])('%s', (label, sizes, max, shown, more) => {
    const failures = sizes.map((n, i) => failure(i + 1, list(`${label}-${i}.list`, names(n, `b${i}-`)), n));
    const lines = failedPathLines(summary({ failures, keptDir: '/kept' }), max);
    expect(pathLines(lines)).toHaveLength(shown);
    // every failed bucket keeps its header line
    expect(lines.filter((l) => l.startsWith('multisync: bucket '))).toHaveLength(sizes.length);
    const moreLine = lines.find((l) => l.startsWith('  … '));
    if (more) expect(moreLine).toBe(`  … ${more} more: see the lists in /kept`);
    else expect(moreLine).toBeUndefined();
  });

  test('a missing list file and a halt reason', () => {
    const lines = failedPathLines(summary({ failures: [failure(9, join(dir, 'gone.list'), 5)], haltReason: 'No space left on device' }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('bucket 9 failed');
    expect(lines[1]).toBe('multisync: stopped dispatching: No space left on device');
  });

  test('no failures: nothing', () => {
    expect(failedPathLines(summary())).toEqual([]);
  });
});
