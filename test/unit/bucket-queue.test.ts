// The supervisor's waiting buckets: order, retries waiting out their backoff, failed ones put back.
import { expect, test } from 'bun:test';
import { BucketQueue } from '../../src/engine/bucket-queue.ts';
import type { Bucket } from '../../src/engine/types.ts';
import { waitFor } from '../e2e/helpers.ts';

const bucket = (id: number, attempts = 0): Bucket => ({ id, source: 0, listFile: `${id}.list`, logFile: `${id}.log`, files: 1, bytes: 1, attempts });
const ids = (q: BucketQueue) => q.queued.map((b) => b.id);

test('new buckets wait in line; buckets that come back go first, in the order given', () => {
  const q = new BucketQueue();
  for (const id of [1, 2, 3]) q.add(bucket(id));
  expect(q.next()?.id).toBe(1);
  q.putBack(bucket(10), bucket(11));
  expect(ids(q)).toEqual([10, 11, 2, 3]);
  expect(q.length).toBe(4);
  expect(q.empty).toBe(false);
  while (q.next());
  expect(q.empty).toBe(true);
  expect(q.next()).toBeUndefined();
});

test('a retry waits out its backoff, then goes first and calls back', async () => {
  const q = new BucketQueue();
  q.add(bucket(1));
  let due = 0;
  q.retryLater(bucket(2, 1), 5, () => due++);
  expect([q.length, q.retrying, q.empty]).toEqual([1, 1, false]);
  q.next();
  expect(q.empty).toBe(false); // a retry still waits
  await waitFor(() => due === 1, 'the retry is due');
  expect([ids(q), q.retrying]).toEqual([[2], 0]);
});

test('dropTimers: pending retries become queued (left-over) buckets at once and never call back', async () => {
  const q = new BucketQueue();
  let due = 0;
  q.retryLater(bucket(7), 1, () => due++);
  q.retryLater(bucket(8), 1, () => due++);
  q.dropTimers();
  expect([ids(q), q.retrying]).toEqual([[7, 8], 0]);
  q.retryLater(bucket(9), 1, () => due++);
  await waitFor(() => due === 1, 'the later retry is due');
  expect(ids(q)).toEqual([9, 7, 8]);
});

test('failed buckets are kept apart; requeueFailed puts them back with their attempts reset', () => {
  const q = new BucketQueue();
  q.add(bucket(1));
  q.fail(bucket(2, 3));
  q.fail(bucket(3, 1));
  expect(q.failed.map((b) => b.id)).toEqual([2, 3]);
  expect(q.requeueFailed()).toBe(2);
  expect(q.failed).toEqual([]);
  expect(q.queued.map((b) => [b.id, b.attempts])).toEqual([[1, 0], [2, 0], [3, 0]]);
  expect(q.requeueFailed()).toBe(0);
});
