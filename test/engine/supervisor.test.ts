// Supervisor behaviour with a fake rsync (exit codes, retries, pause, resize, drain, no-space).
// Copy correctness is proven elsewhere with real rsync.
import { afterAll, expect, test } from 'bun:test';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { makeRunConfig, sourceRoot, type RunConfig } from '../../src/engine/config.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { EngineEvent } from '../../src/engine/types.ts';
import { processesMatching, tempDir, waitFor } from '../e2e/helpers.ts';

const FAKE = resolve(import.meta.dir, '../fixtures/fake-rsync');
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

function setup(files: number, env: Record<string, string>, over: Partial<RunConfig> = {}) {
  const dir = join(tmp.path, `case${++n}`);
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(src, `f${i}`), 'x'.repeat(100));
  const state = join(dir, 'state');
  mkdirSync(state);
  Object.assign(process.env, { FAKE_STATE: state, FAKE_EXITS: '0', FAKE_STDERR: '', FAKE_GATE: '', FAKE_MORE: '' }, env);
  const cfg: RunConfig = makeRunConfig({
    sources: [sourceRoot(`${src}/`)],
    destination: join(dir, 'dst'),
    processes: 2,
    maxFiles: 1,
    maxBytes: 1 << 30,
    rsyncOpts: ['-a'],
    retries: 2,
    backoffMs: 5,
    dryRun: false,
    bucketDir: join(dir, 'buckets'),
    keep: false,
    rsyncPath: FAKE,
    ...over,
  });
  const engine = new Engine(cfg);
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, events, dir, state, bucketDir: cfg.bucketDir! };
}

test('retryable exit 12 is retried, then succeeds', async () => {
  const { engine, events } = setup(3, { FAKE_EXITS: '12,0' });
  const sum = await engine.run();
  expect(sum).toMatchObject({ exitCode: 0, failedBuckets: 0, retried: 3, files: 3 });
  expect(events.filter((e) => e.type === 'bucket-retry')).toHaveLength(3);
});

test('exit 24 (vanished files) is a warning, not a failure', async () => {
  const { engine, events } = setup(2, { FAKE_EXITS: '24' });
  const sum = await engine.run();
  expect(sum.exitCode).toBe(0);
  const done = events.filter((e) => e.type === 'bucket-done');
  expect(done).toHaveLength(2);
  expect(done[0]).toMatchObject({ exitCode: 24, warning: expect.stringMatching(/vanished/) });
});

test('a fatal exit is not retried and fails the run', async () => {
  const { engine, events } = setup(1, { FAKE_EXITS: '1', FAKE_STDERR: 'rsync: bad thing' });
  const sum = await engine.run();
  expect(sum).toMatchObject({ exitCode: 1, failedBuckets: 1, retried: 0 });
  expect(events.find((e) => e.type === 'bucket-failed')).toMatchObject({ exitCode: 1, kind: 'fatal', error: 'rsync: bad thing' });
  expect(sum.keptDir).toBeTruthy();
});

test('retries are bounded: a bucket that keeps failing with 23 fails after 1 + retries attempts', async () => {
  const { engine, state } = setup(1, { FAKE_EXITS: '23' });
  const sum = await engine.run();
  expect(sum.failedBuckets).toBe(1);
  // the fake keeps one attempt counter per bucket (named by its list, or by its arguments)
  const counters = readdirSync(state);
  expect(counters).toHaveLength(1);
  expect(readFileSync(join(state, counters[0]), 'utf8').trim()).toBe('3');
});

test('no space left on device stops dispatching at once', async () => {
  const { engine } = setup(10, { FAKE_EXITS: '11', FAKE_STDERR: 'rsync: [receiver] write failed on "x": No space left on device (28)' }, { processes: 1 });
  const sum = await engine.run();
  expect(sum.exitCode).toBe(1);
  expect(sum.failedBuckets).toBe(1);
  expect(sum.haltReason).toMatch(/No space left/);
  expect(sum.leftoverBuckets).toBe(9);
});

test('pause stops rsyncs (SIGSTOP) and dispatching; resume finishes with exact counts', async () => {
  const { engine, dir } = setup(6, { FAKE_GATE: '' });
  const gate = join(dir, 'gate');
  process.env.FAKE_GATE = gate;
  const running = engine.run();
  await waitFor(() => engine.snapshot().buckets.running === 2, 'two running');
  engine.pause();
  const pids = processesMatching(join(dir, 'src'));
  expect(pids.length).toBeGreaterThanOrEqual(2);
  await waitFor(() => pids.every((p) => /\) T /.test(readFileSync(`/proc/${p}/stat`, 'utf8'))), 'rsyncs stopped');
  writeFileSync(gate, '');
  expect(engine.snapshot()).toMatchObject({ paused: true });
  engine.resume();
  const sum = await running;
  expect(sum).toMatchObject({ exitCode: 0, files: 6, buckets: 6, failedBuckets: 0 });
  expect(engine.snapshot().filesDone).toBe(6);
});

test('the number of processes can grow while running', async () => {
  const { engine, dir } = setup(5, {}, { processes: 1 });
  process.env.FAKE_GATE = join(dir, 'gate');
  const running = engine.run();
  await waitFor(() => engine.snapshot().buckets.running === 1 && engine.snapshot().crawlDone, 'one running');
  engine.setProcesses(3);
  await waitFor(() => engine.snapshot().buckets.running === 3, 'three running');
  writeFileSync(join(dir, 'gate'), '');
  expect((await running).exitCode).toBe(0);
});

test('drain lets running buckets finish and dispatches nothing new', async () => {
  const { engine, dir } = setup(5, {}, { processes: 2 });
  process.env.FAKE_GATE = join(dir, 'gate');
  const running = engine.run();
  await waitFor(() => engine.snapshot().buckets.running === 2 && engine.snapshot().crawlDone, 'two running');
  engine.drain();
  writeFileSync(join(dir, 'gate'), '');
  const sum = await running;
  expect(sum.files).toBe(2);
  expect(sum.leftoverBuckets).toBe(3);
});

/** A tree of `dirs` directories of `per` files each, crawled `delayMs` per directory (the test hook). */
function slowTree(dirs: number, per: number, over: Partial<RunConfig>) {
  const t = setup(0, {}, { crawlDelayMs: 20, ...over });
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(t.dir, 'src', `d${d}`));
    for (let i = 0; i < per; i++) writeFileSync(join(t.dir, 'src', `d${d}`, `f${i}`), 'x');
  }
  return t;
}

/** How many entries the crawl had found when the first rsync started. */
async function foundAtFirstStart(engine: Engine): Promise<number | null> {
  let found: number | null = null;
  engine.on((e) => {
    if (e.type === 'bucket-start' && found === null) found = engine.snapshot().filesTotal;
  });
  expect((await engine.run()).exitCode).toBe(0);
  return found;
}

test('live mode: the first rsync starts while the crawl is still reading directories', async () => {
  const { engine } = slowTree(12, 300, { processes: 2, maxFiles: 50 });
  expect(await foundAtFirstStart(engine)).toBeLessThan(12 * 300);
});

// With fewer rsyncs than cores no core is held for the crawl (crawl-hold.ts): the slots were
// idle from the start, yet the crawl handed them nothing until it ended.
test.if(availableParallelism() > 1)('live mode with fewer rsyncs than cores: the first rsync starts while the crawl is still reading', async () => {
  const { engine } = slowTree(12, 300, { processes: 1, maxFiles: 50 });
  expect(await foundAtFirstStart(engine)).toBeLessThan(12 * 300);
});

test('interactive hold: all ran but a bucket failed → phase held; retryFailed runs it again and the run ends ok', async () => {
  const { engine } = setup(3, { FAKE_EXITS: '1,0' }, { holdOnFailure: true, processes: 3 });
  const running = engine.run();
  await waitFor(() => engine.snapshot().phase === 'held', 'held phase');
  expect(engine.snapshot().buckets.failed).toBe(3);
  engine.retryFailed();
  const sum = await running;
  expect(sum).toMatchObject({ exitCode: 0, failedBuckets: 0, files: 3 });
});

test('interactive hold: drain (q) finishes the run with its failures (exit 1)', async () => {
  const { engine } = setup(2, { FAKE_EXITS: '1' }, { holdOnFailure: true });
  const running = engine.run();
  await waitFor(() => engine.snapshot().phase === 'held', 'held phase');
  engine.drain();
  expect((await running).exitCode).toBe(1);
});

// early-start.ts: over a far ssh link (its round trip and session start known, as the pre-flight
// times them) a bucket whose bytes are due to end within the lead frees its slot for the next one;
// the fake's two progress lines 0.25 s apart give the rate
const link = (rtt: number | null): Partial<RunConfig> => ({ processes: 1, sshControlDir: join(tmp.path, 'no-ssh'), sshRttMs: rtt, sshSessionMs: 10_000 });
const order = (events: EngineEvent[]) => events.filter((e) => e.type === 'bucket-start' || e.type === 'bucket-done').map((e) => `${e.type === 'bucket-start' ? 'start' : 'done'} ${(e as { bucket: number }).bucket}`);

test('far link: a bucket due to end within the lead frees its slot, so -p 1 starts the next before it ends', async () => {
  const { engine, events, dir } = setup(2, { FAKE_MORE: '1' }, link(30));
  const gate = join(dir, 'gate');
  process.env.FAKE_GATE = gate;
  const running = engine.run();
  await waitFor(() => events.filter((e) => e.type === 'bucket-start').length === 2, 'the second bucket started');
  // (the first still waits at the gate: it has not ended)
  expect(events.filter((e) => e.type === 'bucket-done')).toHaveLength(0);
  writeFileSync(gate, '');
  const sum = await running;
  expect(sum).toMatchObject({ exitCode: 0, files: 2, buckets: 2, failedBuckets: 0 });
  expect(order(events).slice(0, 2)).toEqual(['start 1', 'start 2']);
});

test.each([
  ['near link', 0.3],
  ['link not timed', null],
] as Array<[string, number | null]>)('%s: -p 1 starts the next bucket only once the last one ended', async (_what, rtt) => {
  const { engine, events } = setup(2, { FAKE_MORE: '1' }, link(rtt));
  const sum = await engine.run();
  expect(sum).toMatchObject({ exitCode: 0, files: 2, buckets: 2, failedBuckets: 0 });
  expect(order(events)).toEqual(['start 1', 'done 1', 'start 2', 'done 2']);
});
