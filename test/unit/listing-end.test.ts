// The in-band end of a pull's SRC listing whose session stays for the far end's daemon
// (listing-end.ts): the end mark as a record of its own, and stderr read by whole lines with the
// daemon's answer and the end line taken out.
import { describe, expect, test } from 'bun:test';
import { endRecord, MARK_BYTE, markStatus, stderrLines } from '../../src/engine/listing-end.ts';

const rec = (s: string) => Buffer.from(s, 'latin1');

describe('endRecord: a record that is the end mark gives find status', () => {
  test.each([
    ['multisync-end 0', 0],
    ['multisync-end 1', 1],
    ['multisync-end 130', 130],
    ['multisync-end ', undefined],
    ['multisync-end x', undefined],
    ['multisync-end 0 ', undefined],
    ['multisync-end 0\nmore', undefined],
    ['multisync-end', undefined],
    // find's records start with a one-letter type: never a mark, whatever the name
    ['f 1 2 3 1 multisync-end 0', undefined],
    ['d 4096 1 1 2 ', undefined],
    [`multisync-end ${'1'.repeat(40)}`, undefined],
    ['', undefined],
  ] as Array<[string, number | undefined]>)('%p → %p', (r, want) => {
    expect(endRecord(rec(r))).toBe(want);
  });

  test("its first byte is no type letter of find's", () => {
    expect(String.fromCharCode(MARK_BYTE)).toBe('m');
    expect('fdlpscbDU?'.includes(String.fromCharCode(MARK_BYTE))).toBe(false);
  });
});

describe('markStatus: the status of a mark the listing starts with, once it is whole', () => {
  test.each([
    ['multisync-end 1\0', 1],
    ['multisync-end 2\0trailing', 2],
    ['multisync-end 1', undefined],
    ['multisync-e', undefined],
    ['d 4096 1 1 2 \0', undefined],
  ] as Array<[string, number | undefined]>)('%p → %p', (data, want) => {
    expect(markStatus(rec(data))).toBe(want);
  });
});

describe("stderrLines: find's messages passed on, the daemon's answer and the end line taken out", () => {
  const feed = (chunks: string[]) => {
    let seen = '';
    let ends = 0;
    const f = stderrLines(
      (t) => (seen += t),
      () => ends++,
    );
    const out = chunks.map((c) => f.pass(c)).join('') + f.flush();
    return { out, seen, ends };
  };

  test.each([
    ['only find', ["find: 'a': Permission denied\n"], "find: 'a': Permission denied\n", 0],
    ['answer first', ['multisync-daemon: port 873 /root\n', "find: 'a': x\n", 'multisync-end\n'], "find: 'a': x\n", 1],
    ['answer between, in pieces', ["find: 'a': x\nmultisync-dae", 'mon: port 1 /\nfind: ', "'b': y\nmultisync-", 'end\n'], "find: 'a': x\nfind: 'b': y\n", 1],
    ['rc noise kept', ['Welcome\n', 'multisync-daemon: no root\n', 'multisync-end\n'], 'Welcome\n', 1],
    // (only the first answer-looking line is the answer)
    ['a second answer-looking line is passed on', ['multisync-daemon: port 1 /\n', 'multisync-daemon: port 2 /\n'], 'multisync-daemon: port 2 /\n', 0],
    ['a last line without newline comes with flush', ["find: 'a': x\n", 'cut off'], "find: 'a': x\ncut off", 0],
    ['a line that only starts like the end line is kept', ['multisync-end now\n'], 'multisync-end now\n', 0],
  ] as Array<[string, string[], string, number]>)('%s', (_name, chunks, out, ends) => {
    const r = feed(chunks);
    expect(r.out).toBe(out);
    expect(r.ends).toBe(ends);
    // the daemon's answer reader sees everything, as it came
    expect(r.seen).toBe(chunks.join(''));
  });
});
