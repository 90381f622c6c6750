// Many-to-one (--shared DIR): several coordinators (here: processes; in production: hosts with
// SRC, DST and DIR on shared storage) share one plan, claim its buckets, join a running
// migration, and survive a coordinator that dies. Real CLI, real rsync, trees compared.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSmallFilesTree } from '../../src/engine/odd-tree.ts';
import { jsonEvents, rsyncPids, runCli, startCli, tempDir, waitFor } from './helpers.ts';
import { expectSameTrees } from '../trees.ts';

const tmp = tempDir();
const big = join(tmp.path, 'big');
const small = join(tmp.path, 'small');

beforeAll(async () => {
  mkdirSync(big);
  for (let d = 0; d < 4; d++) {
    mkdirSync(join(big, `d${d}`));
    for (let i = 0; i < 12; i++) writeFileSync(join(big, `d${d}`, `f${i}`), Buffer.alloc(100 * 1024, d * 16 + i));
    // an old mtime: rsync compares times to the second, so a directory made in the same second as
    // its copy could keep the copy's own sub-second time, for rsync's reasons, not ours
    utimesSync(join(big, `d${d}`), 1_500_000_000, 1_500_000_000);
  }
  utimesSync(big, 1_500_000_000, 1_500_000_000);
  await makeSmallFilesTree(small, { files: 400, dirs: 10, minSize: 10, maxSize: 3000, seed: 21 });
});
afterAll(() => tmp.cleanup());

/** waitFor, but a coordinator that exits first fails at once, with its stderr. */
async function until(cli: ReturnType<typeof startCli>, cond: () => boolean, what: string) {
  await waitFor(() => {
    if (cond()) return true;
    if (cli.proc.exitCode !== null) throw new Error(`exited ${cli.proc.exitCode} before ${what}: ${cli.stderr}${cli.lines.slice(-5).join('\n')}`);
    return false;
  }, what);
}

const doneIds = (lines: string[]) => jsonEvents(lines).filter((e) => e.type === 'bucket-done').map((e) => e.bucket as number);

describe('--shared: coordinators share one plan', () => {
  test('a second coordinator joins a running migration: every bucket runs exactly once, both ran some, identical copy', async () => {
    const shared = join(tmp.path, 'plan-join');
    const dst = join(tmp.path, 'dst-join');
    const args = ['--json', '-p', '2', '-f', '2', '-r', '-a --bwlimit=1000', '--shared', shared, `${big}/`, dst];
    const a = startCli(args);
    await until(a, () => doneIds(a.lines).length >= 1, 'the first coordinator to finish a bucket');
    const b = startCli(args);
    const [codeA, codeB] = [await a.done(), await b.done()];
    expect(a.stderr + b.stderr).toBe('');
    expect([codeA, codeB]).toEqual([0, 0]);
    const evA = jsonEvents(a.lines);
    const evB = jsonEvents(b.lines);
    expect(evA.find((e) => e.type === 'shared')).toMatchObject({ role: 'crawler' });
    expect(evB.find((e) => e.type === 'shared')).toMatchObject({ role: 'joiner' });
    const idsA = doneIds(a.lines);
    const idsB = doneIds(b.lines);
    expect(idsA.length).toBeGreaterThan(0);
    expect(idsB.length).toBeGreaterThan(0);
    const all = [...idsA, ...idsB].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    // both report the whole migration: what the other ran counts as skipped
    for (const ev of [evA, evB]) expect(ev[ev.length - 1]).toMatchObject({ type: 'summary', status: 'ok', files: 48, buckets: 24, exitCode: 0 });
    expect(evA[evA.length - 1].skippedBuckets).toBe(idsB.length);
    // the crawler runs the directory pass, after every bucket of the plan settled
    expect(evA.some((e) => e.type === 'finalize' && e.ok)).toBe(true);
    expect(readdirSync(join(shared, 'done')).length).toBe(24);
    await expectSameTrees(big, dst);
  });

  test('a coordinator killed mid-crawl: a survivor takes over the crawl and the dead one\'s claims', async () => {
    const shared = join(tmp.path, 'plan-kill');
    const dst = join(tmp.path, 'dst-kill');
    const args = ['--json', '-p', '2', '-f', '10', '-r', '-a --bwlimit=300', '--shared', shared, `${small}/`, dst];
    const env = { MULTISYNC_SHARED_LEASE_MS: '1500' };
    const a = startCli(args, { env: { ...env, MULTISYNC_TEST_CRAWL_DELAY_MS: '250' } });
    await until(a, () => doneIds(a.lines).length >= 1, 'the crawler to finish a bucket');
    const b = startCli(args, { env });
    await until(b, () => jsonEvents(b.lines).some((e) => e.type === 'shared'), 'the second coordinator to join');
    a.proc.kill('SIGKILL');
    await a.done();
    expect(await b.done()).toBe(0);
    const evB = jsonEvents(b.lines);
    expect(evB.filter((e) => e.type === 'shared').map((e) => e.role)).toEqual(['joiner', 'crawler']);
    expect(evB[evB.length - 1]).toMatchObject({ type: 'summary', status: 'ok', failedBuckets: 0, exitCode: 0 });
    // the killed coordinator's rsyncs were not stopped by anyone: let them end before comparing
    await waitFor(() => rsyncPids(dst).length === 0, 'the killed coordinator\'s rsyncs to end');
    await expectSameTrees(small, dst);
  });

  test('another command on the same plan, or --shared with --delete: exit 2, one line', async () => {
    const shared = join(tmp.path, 'plan-join');
    const other = await runCli(['--shared', shared, `${small}/`, join(tmp.path, 'elsewhere')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^multisync: --shared .* holds the plan of another command/);
    const del = await runCli(['--delete', '--shared', join(tmp.path, 'plan-x'), `${small}/`, join(tmp.path, 'elsewhere')]);
    expect(del.code).toBe(2);
    expect(del.stderr.trim().split('\n')).toHaveLength(1);
    expect(del.stderr).toMatch(/--delete cannot be combined with --shared/);
  });
});
