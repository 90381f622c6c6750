// A worker host's shared ssh connections (src/engine/worker-connections.ts): one per
// SESSIONS_PER_CONNECTION buckets, a new one set up by its first bucket alone.
import { afterAll, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SESSIONS_PER_CONNECTION as PER, WorkerConnections } from '../../src/engine/worker-connections.ts';
import { tempDir, waitFor } from '../e2e/helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SSH = (dir: string) => ['ssh', '-p', '22', '-o', `ControlPath=${dir}/%C`, '-o', 'ControlMaster=auto'];

/** Takes `n` buckets on host `i` the way WorkerPool.launch does; returns their connections. */
function fill(w: WorkerConnections, i: number, n: number): number[] {
  const got: number[] = [];
  for (let k = 0; k < n; k++) {
    const c = w.pick(i);
    if (c === null) break;
    w.take(i, c);
    got.push(c);
  }
  return got;
}

test('the first PER buckets share the pre-flight connection; the next one sets a new one up alone', () => {
  const w = new WorkerConnections(SSH(tmp.path), tmp.path);
  expect(fill(w, 0, PER + 3)).toEqual([...Array(PER).fill(0), 1]);
  // another host counts on its own
  expect(fill(w, 1, 2)).toEqual([0, 0]);
  w.stop();
});

test('once the new connection\'s socket exists the host takes buckets again (onOpen), on that connection', async () => {
  const dir = join(tmp.path, 'open');
  mkdirSync(dir);
  const w = new WorkerConnections(SSH(dir), dir);
  let opened = 0;
  w.onOpen(() => opened++);
  fill(w, 0, PER + 1);
  expect(w.pick(0)).toBeNull();
  writeFileSync(join(dir, 'h0-s1'), '');
  await waitFor(() => opened > 0, 'the host to open');
  expect(fill(w, 0, PER - 1)).toEqual(Array(PER - 1).fill(1));
  w.stop();
});

test('a bucket that ended before its new connection came up lets the next one try', () => {
  const w = new WorkerConnections(SSH(tmp.path), tmp.path);
  let opened = 0;
  w.onOpen(() => opened++);
  fill(w, 0, PER + 1);
  expect(w.pick(0)).toBeNull();
  w.give(0, 1);
  expect(opened).toBe(1);
  expect(w.pick(0)).toBe(1);
  w.stop();
});

test('a connection frees up: the next bucket goes back to the first one with room', () => {
  const w = new WorkerConnections(SSH(tmp.path), tmp.path);
  fill(w, 0, PER);
  w.give(0, 0);
  expect(w.pick(0)).toBe(0);
  w.stop();
});

test.each<[number, number, string]>([
  [0, 0, 'DIR/%C'], // the pre-flight's
  [0, 1, 'DIR/h0-s1'],
  [2, 3, 'DIR/h2-s3'],
])('host %p connection %p: ControlPath=%p', (i, c, want) => {
  const w = new WorkerConnections(SSH('DIR'), 'DIR');
  expect(w.argv(i, c)).toEqual(['ssh', '-p', '22', '-o', `ControlPath=${want}`, '-o', 'ControlMaster=auto']);
});

test('without connection sharing every bucket goes the one way there is', () => {
  const w = new WorkerConnections(['ssh'], undefined);
  expect(fill(w, 0, PER + 2)).toEqual([...Array(PER).fill(0), 1, 1]);
  expect(w.argv(0, 1)).toEqual(['ssh']);
});
