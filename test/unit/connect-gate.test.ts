// The gate on setting up per-slot ssh connections (src/engine/connect-gate.ts).
import { afterAll, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectGate, upSlots } from '../../src/engine/connect-gate.ts';
import { tempDir, waitFor } from '../e2e/helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A gate over a set of up slots the test changes; `opened` counts onOpen calls. */
function gate(max: number, up = new Set<number>([1])) {
  const g = new ConnectGate(() => up, max);
  const t = { g, up, opened: 0 };
  g.onOpen(() => t.opened++);
  return t;
}

test('at most max slots set their connection up at once; a slot already up never waits', () => {
  const { g } = gate(2);
  expect([2, 3, 4].map((s) => g.mayStart(s))).toEqual([true, true, false]);
  expect(g.mayStart(1)).toBe(true);
  // a slot already counted as setting up (its next bucket) goes on
  expect(g.mayStart(3)).toBe(true);
  g.close();
});

test('a connection that comes up lets a held slot start (onOpen), once', async () => {
  const t = gate(1);
  expect(t.g.mayStart(2)).toBe(true);
  expect(t.g.mayStart(3)).toBe(false);
  t.up.add(2);
  await waitFor(() => t.opened === 1, 'the gate to open');
  expect(t.g.mayStart(3)).toBe(true);
  expect(t.opened).toBe(1);
  t.g.close();
});

test('an rsync that ended before its connection came up no longer counts', () => {
  const t = gate(1);
  t.g.mayStart(2);
  expect(t.g.mayStart(3)).toBe(false);
  t.g.ended(2);
  expect(t.opened).toBe(1);
  expect(t.g.mayStart(3)).toBe(true);
  // ended for a slot that was not setting up changes nothing
  t.g.ended(7);
  expect(t.opened).toBe(1);
  t.g.close();
});

test.each<[string[], number[]]>([
  [[], [1]],
  [['0123abcd'], [1]], // the pre-flight's own (slot 1)
  [['0123abcd-2', '0123abcd-12'], [1, 2, 12]],
  [['0123abcd-3.AbCdEf0123456789'], [1]], // ssh's temporary name before it listens
])('upSlots %p → %p', (names, want) => {
  const dir = join(tmp.path, `d${names.join('_').replace(/\W/g, '')}`);
  mkdirSync(dir);
  for (const n of names) writeFileSync(join(dir, n), '');
  expect([...upSlots(dir)].sort((a, b) => a - b)).toEqual(want);
});

test('upSlots of a directory that is gone: only the pre-flight slot', () => {
  expect([...upSlots(join(tmp.path, 'missing'))]).toEqual([1]);
});
