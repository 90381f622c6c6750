// Timing an ssh connection's round trip inside the pre-flight's session (src/engine/link-echo.ts),
// and what the slots make of it (src/engine/slot-ssh.ts).
import { expect, test } from 'bun:test';
import { ECHO_MARK, LinkEcho } from '../../src/engine/link-echo.ts';
import { NEAR_RTT_MS, SHARED_SLOTS, sharesConnection, slotGate, slotRsh } from '../../src/engine/slot-ssh.ts';

const M = `${ECHO_MARK}\n`;

/** Feeds `chunks` at the given clock times; what came out, the answers, and the round trip reported. */
function through(chunks: Array<[number, string]>, end = false) {
  let clock = 0;
  let answers = 0;
  let rtt: number | null | undefined;
  const e = new LinkEcho(
    () => answers++,
    (ms) => (rtt = ms),
    () => clock,
  );
  let out = '';
  for (const [t, c] of chunks) {
    clock = t;
    out += e.feed(Buffer.from(c)).toString();
  }
  if (end) out += e.end().toString();
  return { out, answers, rtt };
}

test.each([
  // [what, chunks, output after the marks, answers, round trip]
  ['two rounds then the answer', [[0, M], [10, M], [15, 'dir\nlisting']], 'dir\nlisting', 2, 5],
  ['the shortest round counts', [[0, M], [3, M], [15, 'dir\n']], 'dir\n', 2, 3],
  ['marks cut by the pipe', [[0, M.slice(0, 5)], [1, M.slice(5) + M.slice(0, 2)], [4, M.slice(2) + 'x']], 'x', 2, 3],
  ['marks and the answer in one chunk (the far end did not wait): not timed', [[0, M + M + 'dir\n']], 'dir\n', 2, null],
  ['output before any mark: handed on whole, not timed', [[0, 'hello\n' + M]], 'hello\n' + M, 0, null],
  ['a line that only starts like a mark', [[0, `${ECHO_MARK.slice(0, 4)}x\n`]], `${ECHO_MARK.slice(0, 4)}x\n`, 0, null],
] as Array<[string, Array<[number, string]>, string, number, number | null]>)('%s', (_what, chunks, out, answers, rtt) => {
  const r = through(chunks);
  expect(r.out).toBe(out);
  expect(r.answers).toBe(answers);
  expect(r.rtt).toBe(rtt);
});

test('output that ends inside the marks: what was held back is handed on, one round trip known', () => {
  const r = through([[0, M], [7, M], [8, ECHO_MARK.slice(0, 3)]], true);
  expect(r.out).toBe(ECHO_MARK.slice(0, 3));
  expect(r.answers).toBe(2);
  expect(r.rtt).toBe(7);
});

test('after the marks every chunk passes as it is, marks included', () => {
  const e = new LinkEcho(() => {});
  expect(e.feed(Buffer.from('dir\n')).toString()).toBe('dir\n');
  expect(e.feed(Buffer.from(M)).toString()).toBe(M);
});

test.each([
  // [slot, rttMs, shares the pre-flight's connection]
  [1, null, true],
  [1, 80, true],
  [2, null, false],
  [2, undefined, false],
  [2, 0.3, true],
  [SHARED_SLOTS, NEAR_RTT_MS - 0.1, true],
  [SHARED_SLOTS, NEAR_RTT_MS, false],
  [SHARED_SLOTS + 1, 0.3, false],
] as Array<[number, number | null | undefined, boolean]>)('slot %p, round trip %p ms: shares %p', (slot, rtt, shares) => {
  expect(sharesConnection(slot, rtt)).toBe(shares);
  const rsh = 'ssh -o ControlPath=/d/%C';
  expect(slotRsh(rsh, '/d', slot, rtt)).toBe(shares ? rsh : `ssh -o ControlPath=/d/%C-${slot}`);
});

test('the gate counts the sharing slots as up once the link is known to be near', () => {
  let rtt: number | null = null;
  const gate = slotGate('ssh -o ControlPath=/nonexistent-dir/%C', '/nonexistent-dir', () => rtt, 1)!;
  // far or unknown: slot 2 sets its connection up, slot 3 waits for it (one at a time here)
  expect(gate.mayStart(2)).toBe(true);
  expect(gate.mayStart(3)).toBe(false);
  gate.ended(2);
  rtt = 0.5;
  expect([2, 3, SHARED_SLOTS].map((s) => gate.mayStart(s))).toEqual([true, true, true]);
  // the slots above SHARED_SLOTS still set theirs up, one at a time
  expect(gate.mayStart(SHARED_SLOTS + 1)).toBe(true);
  expect(gate.mayStart(SHARED_SLOTS + 2)).toBe(false);
  gate.close();
});
