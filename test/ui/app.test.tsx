import { afterEach, describe, expect, test } from 'bun:test';
import { stringWidth, truncateMiddle } from '../../src/ui/format.ts';
import { workerColumns } from '../../src/ui/worker-table.ts';
import { makeFailure, makeSnapshot, makeWorker } from './fixtures.ts';
import { renderApp, type Harness } from './harness.tsx';

let current: Harness | undefined;
async function open(...args: Parameters<typeof renderApp>): Promise<Harness> {
  current = await renderApp(...args);
  return current;
}
afterEach(() => {
  current?.unmount();
  current = undefined;
});

function expectFits(h: Harness, columns: number, rows: number) {
  const lines = h.lines();
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
}

const LONG_FILE = makeWorker().currentFile;

describe('App at 80x24', () => {
  test('shows a row per running worker with bucket, throughput and truncated file', async () => {
    const h = await open(makeSnapshot());
    const frame = h.frame();
    const rows = h.lines();
    const row101 = rows.find((l) => /^\s+0 101 /.test(l));
    expect(row101).toBeDefined();
    expect(row101).toContain('1234/5000');
    expect(row101).toContain('700.0 MiB');
    expect(row101).toContain('12.3 MiB/s');
    // Truncated in the middle: keeps the start of the path and the file name.
    const expected = truncateMiddle(LONG_FILE, workerColumns(80).file);
    expect(expected).toContain('…');
    expect(row101).toContain(expected);
    expect(row101!.trimEnd().endsWith('fastq.gz')).toBe(true);
    expect(frame).toContain('45.6 MiB/s');
    expect(frame).toContain('900.0 KiB/s');
    expect(frame).toContain('57 r2'); // retried bucket shows its attempt
    expect(frame).toContain('(starting)'); // worker without a current file yet
  });

  test('shows header: route, elapsed, ETA, bars, rates, crawl state', async () => {
    const h = await open(makeSnapshot());
    const frame = h.frame();
    expect(frame).toContain('/data/src/projects/, /data/src/home → backup01:/srv/migration/target/');
    expect(frame).toContain('elapsed 1h02m03s');
    expect(frame).toContain('ETA 25m10s');
    expect(frame).toContain('crawl done');
    expect(frame).toMatch(/bytes \[#+\.+\]\s+45\.3%\s+1\.2 TiB \/ 2\.5 TiB\s+112\.3 MiB\/s/);
    expect(frame).toMatch(/files \[#+\.+\]\s+51\.0%\s+630,000 \/ 1,234,567\s+1,234 files\/s/);
  });

  test('crawl in progress shows entries so far and unknown ETA', async () => {
    const h = await open(makeSnapshot({ crawlDone: false, filesTotal: 45_678, etaMs: null, crawlErrors: 3 }));
    const frame = h.frame();
    expect(frame).toContain('crawling: 45,678 entries so far');
    expect(frame).toContain('ETA --');
    expect(frame).toContain('crawl errors: 3');
    expect(frame).toContain('/ 45,678+'); // total still growing
  });

  test('shows bucket counters and processes', async () => {
    const h = await open(makeSnapshot({ buckets: { queued: 120, running: 4, done: 300, failed: 2, retried: 3, skipped: 4 } }));
    const counters = h.lines().find((l) => l.startsWith('buckets'));
    expect(counters).toBe('buckets: queued 120 running 4 done 300 failed 2 retried 3 skipped 4  procs 4');
  });

  test('PAUSED is visible only when paused', async () => {
    const h = await open(makeSnapshot());
    expect(h.frame()).not.toContain('PAUSED');
    h.store.getState().setSnapshot(makeSnapshot({ paused: true }));
    await h.waitForText('PAUSED');
    expect(h.frame()).toContain('press p to resume');
    expect(h.frame()).toContain(' p  resume');
    expectFits(h, 80, 24);
  });

  test('failure panel shows exit code, meaning, first error and log path', async () => {
    const h = await open(makeSnapshot());
    const frame = h.frame();
    expect(frame).toContain('FAILED buckets: 2');
    expect(frame).toContain('logs in /var/tmp/multisync-run-20250615/logs/');
    expect(frame).toMatch(/bucket 17 {2}exit 23 {2}Partial transfer due to error.* log bucket-000017\.log/);
    expect(frame).toContain('rsync: [sender] send_files failed to open');
    expect(frame).toMatch(/bucket 42 {2}exit 11 {2}Error in file I\/O {2}log bucket-000042\.log/);
    expect(frame).toContain('No space left on device (28)');
  });

  test('failures with unrelated log dirs and a signal exit', async () => {
    const h = await open(
      makeSnapshot({
        failures: [
          makeFailure({ bucket: 5, logFile: '/a/logs/b5.log' }),
          makeFailure({ bucket: 6, exitCode: null, kind: 'cancelled', meaning: 'Killed by SIGKILL', firstError: '', logFile: '/b/b6.log', attempts: 1 }),
        ],
      }),
    );
    expect(h.frame()).toMatch(/bucket 6 {2}exit - \(cancelled\) {2}Killed by SIGKILL {2}log \/b\/b6\.log/);
    expect(h.frame()).toContain('(no error line captured; see the log)');
  });

  test('many failures: the last few are shown and the title says so', async () => {
    const failures = Array.from({ length: 12 }, (_, i) => makeFailure({ bucket: 200 + i, logFile: `/logs/bucket-${200 + i}.log` }));
    const h = await open(makeSnapshot({ failures }));
    expect(h.frame()).toMatch(/FAILED buckets: 12 {2}\(last \d shown\)/);
    expect(h.frame()).toContain('bucket 211');
    expect(h.frame()).not.toContain('bucket 200 ');
    expectFits(h, 80, 24);
  });

  test('every line fits 80 columns and the frame fits 24 rows, even when crowded', async () => {
    const workers = Array.from({ length: 16 }, (_, i) =>
      makeWorker({ slot: i, bucket: 1000 + i, currentFile: `${'日本語/'.repeat(i)}${LONG_FILE}`, attempt: (i % 3) + 1 }),
    );
    const failures = Array.from({ length: 10 }, (_, i) => makeFailure({ bucket: 300 + i }));
    const h = await open(
      makeSnapshot({
        workers,
        failures,
        paused: true,
        phase: 'draining',
        processes: 16,
        crawlDone: false,
        crawlErrors: 12345,
        sources: ['/very/long/source/path/'.repeat(5)],
        buckets: { total: 123_456, queued: 99_999, running: 16, done: 23_000, failed: 10, retried: 123, skipped: 45 },
      }),
    );
    expectFits(h, 80, 24);
    expect(h.frame()).toContain('PAUSED');
    expect(h.frame()).toContain('press q again to cancel');
    expect(h.frame()).toMatch(/\+\d+ more running/);
    expect(h.frame()).toContain('crawling: 1,234,567 entries so far  errors 12,345');
  });

  test('a file name with control characters cannot break the layout', async () => {
    const h = await open(makeSnapshot({ workers: [makeWorker({ currentFile: 'evil\nname\x1b[2J.txt' })] }));
    expect(h.frame()).toContain('evil?name?[2J.txt');
    expectFits(h, 80, 24);
  });

  test('before the first snapshot it says starting', async () => {
    const h = await open(null);
    expect(h.frame()).toContain('starting…');
    expectFits(h, 80, 24);
  });
});

describe('App resizing', () => {
  test('a larger terminal gets more worker rows, wider columns and sparklines', async () => {
    const workers = Array.from({ length: 20 }, (_, i) => makeWorker({ slot: i, bucket: 500 + i }));
    const h = await open(makeSnapshot({ workers }));
    const rowsAt = () => h.lines().filter((l) => /^\s*\d+ 5\d\d /.test(l)).length;
    const small = rowsAt();
    expect(h.frame()).not.toContain('▇');
    expect(h.frame()).toMatch(/\+\d+ more running/);
    await h.resize(140, 50);
    expectFits(h, 140, 50);
    expect(rowsAt()).toBeGreaterThan(small);
    expect(h.frame()).toContain('▅▆▆▇▇██');
    expect(h.frame()).toContain('700.0 MiB/2.0 GiB');
    const wide = truncateMiddle(LONG_FILE, workerColumns(140).file);
    expect(wide.length).toBeGreaterThan(truncateMiddle(LONG_FILE, workerColumns(80).file).length);
    expect(h.frame()).toContain(wide);
    await h.resize(80, 24);
    expectFits(h, 80, 24);
    expect(rowsAt()).toBe(small);
  });

  test('stays within very small terminals', async () => {
    const h = await open(makeSnapshot(), { columns: 40, rows: 12 });
    expectFits(h, 40, 12);
  });
});

describe('App keys', () => {
  test('p pauses, and resumes when paused', async () => {
    const h = await open(makeSnapshot());
    await h.press('p');
    expect(h.control.names()).toEqual(['pause']);
    h.store.getState().setSnapshot(makeSnapshot({ paused: true }));
    await h.waitForText('PAUSED');
    await h.press('p');
    expect(h.control.names()).toEqual(['pause', 'resume']);
  });

  test('two quick p presses before a new snapshot toggle twice', async () => {
    const h = await open(makeSnapshot());
    await h.press('p');
    await h.press('p');
    expect(h.control.names()).toEqual(['pause', 'resume']);
  });

  test('r retries failed buckets', async () => {
    const h = await open(makeSnapshot());
    await h.press('r');
    expect(h.control.names()).toEqual(['retryFailed']);
  });

  test('+ and = add a process, - removes one but never below 1', async () => {
    const h = await open(makeSnapshot({ processes: 4 }));
    await h.press('+');
    expect(h.control.commands().at(-1)).toEqual(['setProcesses', 5]);
    await h.press('=');
    expect(h.control.commands().at(-1)).toEqual(['setProcesses', 6]); // builds on the pending change
    h.store.getState().setSnapshot(makeSnapshot({ processes: 1 }));
    await h.waitForText('processes (1)');
    await h.press('-');
    expect(h.control.commands().at(-1)).toEqual(['setProcesses', 1]);
    h.store.getState().setSnapshot(makeSnapshot({ processes: 8 }));
    await h.waitForText('processes (8)');
    await h.press('-');
    expect(h.control.commands().at(-1)).toEqual(['setProcesses', 7]);
  });

  test('q drains first, then a second q cancels', async () => {
    const h = await open(makeSnapshot());
    await h.press('q');
    expect(h.control.names()).toEqual(['drain']);
    await h.waitForText('finishing running buckets… press q again to cancel');
    expectFits(h, 80, 24);
    await h.press('q');
    expect(h.control.names()).toEqual(['drain', 'cancel']);
    await h.waitForText('cancelling');
  });

  test('q while the engine is already draining cancels', async () => {
    const h = await open(makeSnapshot({ phase: 'draining' }));
    expect(h.frame()).toContain('press q again to cancel');
    await h.press('q');
    expect(h.control.names()).toEqual(['cancel']);
  });

  test('Ctrl-C cancels at once', async () => {
    const h = await open(makeSnapshot());
    await h.press('\x03');
    expect(h.control.names()).toEqual(['cancel']);
  });

  test('Ctrl-P and other control keys do nothing', async () => {
    const h = await open(makeSnapshot());
    await h.press('\x10'); // Ctrl-P
    await h.press('\x12'); // Ctrl-R
    await h.press('x');
    expect(h.control.names()).toEqual([]);
  });

  test('? toggles help, which fits the screen; Esc closes it', async () => {
    const h = await open(makeSnapshot());
    await h.press('?');
    await h.waitForText('multisync keys');
    expect(h.frame()).toContain('Ctrl-C');
    expect(h.frame()).not.toContain('FAILED buckets');
    expectFits(h, 80, 24);
    await h.press('?');
    await h.waitForNoText('multisync keys');
    await h.press('?');
    await h.waitForText('multisync keys');
    await h.press('\x1b');
    await h.waitForNoText('multisync keys');
    expect(h.control.names()).toEqual([]);
  });
});

describe('App extras', () => {
  test('DRY RUN tag when asked', async () => {
    const h = await open(makeSnapshot(), { dryRun: true });
    expect(h.lines()[0]).toContain('DRY RUN');
  });

  test('a re-run whose entries DST already has: said while crawling and at the end', async () => {
    const none = { total: 0, queued: 0, running: 0, done: 0, failed: 0, retried: 0, skipped: 0 };
    const crawling = await open(makeSnapshot({ crawlDone: false, workers: [], buckets: none, filesDone: 12_345, filesTotal: 12_345, etaMs: null }));
    expect(crawling.frame()).toContain('comparing with DST:');
    expect(crawling.frame()).toContain('nothing to copy yet');
    expectFits(crawling, 80, 24);
    const done = await open(makeSnapshot({ phase: 'done', workers: [], buckets: none, filesDone: 12_345, filesTotal: 12_345 }));
    expect(done.frame()).toContain('nothing to copy: DST already has every entry');
    expectFits(done, 80, 24);
  });

  test('a snapshot that changes nothing on screen draws no frame', async () => {
    const h = await open(makeSnapshot());
    const before = h.renders();
    h.store.getState().setSnapshot(makeSnapshot()); // a new object, the same screen
    await new Promise((r) => setImmediate(r)); // React renders a store change in a microtask
    h.store.getState().setSnapshot(makeSnapshot({ processes: 7 }));
    await h.waitForText('processes (7)');
    expect(h.renders()).toBe(before + 1);
  });

  test('phase done says the run finished', async () => {
    const h = await open(makeSnapshot({ phase: 'done', workers: [] }));
    expect(h.frame()).toContain('run finished');
    expect(h.frame()).toContain('all rsync processes finished');
  });
});
