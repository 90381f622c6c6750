// How long the pre-flight's session took to start, and the bucket floor it gives over a near ssh
// link (src/engine/session-cost.ts).
import { afterAll, expect, test } from 'bun:test';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_PIECE_ENTRIES } from '../../src/engine/bucket-sizing.ts';
import { ENTRY_MS, MAX_PIECE_ENTRIES, sessionPieceEntries, sessionStartMs, START_SHARE } from '../../src/engine/session-cost.ts';
import { NEAR_RTT_MS } from '../../src/engine/slot-ssh.ts';
import { tempDir } from '../e2e/helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test.each([
  // [round trip ms, session start ms, floor]
  [0.4, 160, Math.round((START_SHARE * 160) / ENTRY_MS)],
  [0.4, 15, undefined], // a plain host: below bucket-sizing.ts's own floor
  [0.4, (MIN_PIECE_ENTRIES * ENTRY_MS) / START_SHARE, undefined],
  [0.4, 5000, MAX_PIECE_ENTRIES],
  [NEAR_RTT_MS, 160, undefined], // a far link: the tail matters more than the starts
  [null, 160, undefined],
  [0.4, null, undefined],
] as Array<[number | null, number | null, number | undefined]>)('round trip %p ms, sessions starting in %p ms: floor %p entries', (rtt, session, floor) => {
  expect(sessionPieceEntries(rtt, session)).toBe(floor);
});

test('the session start is timed from the control socket (the one without a slot suffix) to the first mark', () => {
  const dir = join(tmp.path, 'control');
  mkdirSync(dir);
  const spawnedAt = Date.now() - 1000;
  expect(sessionStartMs(dir, spawnedAt, Date.now())).toBeNull(); // no socket: the user's own ControlPath
  writeFileSync(join(dir, 'abc123'), '');
  writeFileSync(join(dir, 'abc123-2'), ''); // (a slot's)
  writeFileSync(join(dir, 'daemon-secret'), ''); // (remote-daemon.ts's)
  const made = statSync(join(dir, 'abc123')).ctimeMs;
  expect(sessionStartMs(dir, spawnedAt, made + 150)).toBeCloseTo(150, 5);
  expect(sessionStartMs(dir, spawnedAt, null)).toBeNull(); // no mark
  expect(sessionStartMs(dir, made + 1, made + 150)).toBeNull(); // a socket older than the session's ssh
  expect(sessionStartMs(dir, spawnedAt, made - 1)).toBeNull(); // (a clock that went back)
  expect(sessionStartMs(undefined, spawnedAt, made + 150)).toBeNull();
});
