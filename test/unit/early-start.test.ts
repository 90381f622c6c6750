// When a bucket over a far ssh link frees its slot for the next one (src/engine/early-start.ts).
import { expect, test } from 'bun:test';
import { EndForecast, MIN_SAMPLE_MS, runStartLead, startLead } from '../../src/engine/early-start.ts';
import { NEAR_RTT_MS } from '../../src/engine/slot-ssh.ts';

test.each([
  // [round trip ms, session start ms, lead]
  [30, 240, 360],
  [NEAR_RTT_MS, 240, 240 + 4 * NEAR_RTT_MS],
  [NEAR_RTT_MS - 0.1, 240, null], // a near link: slots share a connection, their starts cost CPU, not waiting
  [null, 240, null], // not timed
  [30, null, null],
] as Array<[number | null, number | null, number | null]>)('round trip %p ms, session %p ms: lead %p ms', (rtt, session, lead) => {
  expect(startLead(rtt, session)).toBe(lead);
});

test('a run has a lead over ssh from this machine to a far host only', () => {
  const ssh = { sshControlDir: '/tmp/x', sshSessionMs: 200 };
  expect(runStartLead({ ...ssh, sshRttMs: NEAR_RTT_MS })).toBe(200 + 4 * NEAR_RTT_MS);
  expect(runStartLead({ ...ssh, sshRttMs: NEAR_RTT_MS - 1 })).toBeNull();
  expect(runStartLead({ ...ssh, sshRttMs: null })).toBeNull();
  expect(runStartLead({ ...ssh, sshRttMs: 30, workers: ['h'] })).toBeNull();
  expect(runStartLead({ sshRttMs: 30, sshSessionMs: 200 })).toBeNull(); // (no shared ssh connections)
});

/** Feeds [ms, bytes] reports to a forecast of a `total`-byte bucket with `lead` ms; the answers. */
const answers = (total: number, lead: number, reports: Array<[number, number]>) => {
  const f = new EndForecast(total, lead);
  return reports.map(([t, b]) => f.dueWithinLead(b, t));
};

test.each([
  // [what, total bytes, lead ms, reports [ms, bytes], answers]
  ['no bytes yet: nothing to go by', 1000, 500, [[0, 0], [300, 0]], [false, false]],
  ['the first bytes only start the clock', 1000, 500, [[100, 900]], [false]],
  ['a rate from less than MIN_SAMPLE_MS is not trusted', 1000, 500, [[0, 100], [MIN_SAMPLE_MS - 1, 990]], [false, false]],
  // 100 bytes a second, 300 left: 3 s away
  ['far from its end', 1000, 500, [[0, 100], [6000, 700]], [false, false]],
  // 100 bytes a second, 40 left: 0.4 s away, within 0.5 s
  ['within the lead', 1000, 500, [[0, 100], [6000, 700], [8600, 960]], [false, false, true]],
  ['more bytes than the crawl saw (a file that grew): due', 1000, 500, [[0, 100], [300, 1200]], [false, true]],
  ['no bytes moved since the first report: unknown rate', 1000, 500, [[0, 100], [900, 100]], [false, false]],
] as Array<[string, number, number, Array<[number, number]>, boolean[]]>)('%s', (_what, total, lead, reports, expected) => {
  expect(answers(total, lead, reports)).toEqual(expected);
});
