// sshStream with a Linger (ssh-stream.ts): a command that runs on after its answer, as the push's
// pre-flight session does for the far end's daemon. "ssh" here is a local sh that runs the
// command it is given, so the far end's script runs for real (no sshd needed for this part; the
// e2e tests run the same through a real sshd and its shared connections).
import { describe, expect, test } from 'bun:test';
import { sshStream, type Linger } from '../../src/engine/ssh-stream.ts';
import { endMarked } from '../../src/engine/ssh-preflight.ts';

/** `sh -c 'eval "$2"' sh HOST COMMAND`: the command runs, as ssh would run it on HOST. */
const SH = ['/bin/sh', '-c', 'eval "$2"', 'sh'];

function linger(): Linger & { lines: string[]; closed: () => void; gone: Promise<void>; end(): void } {
  let stdin: { end(): void } | null = null;
  let done = () => {};
  const gone = new Promise<void>((resolve) => (done = resolve));
  const lines: string[] = [];
  return {
    lines,
    ended: endMarked,
    stdin: (w) => (stdin = w),
    stderr: (t) => lines.push(t),
    closed: () => done(),
    gone,
    end: () => stdin?.end(),
  };
}

describe('sshStream with a command that runs on (Linger)', () => {
  test('the answer is whole at its end mark while the command still runs; closing stdin ends it', async () => {
    const l = linger();
    const s = sshStream(SH, 'h', "echo dir; echo answer >&2; printf 'rec\\0multisync-end 0\\0'; cat >/dev/null", 1 << 20, 60_000, undefined, l);
    expect(await s.first).toBe('dir');
    const r = await s.whole;
    expect(r.code).toBeNull();
    expect(r.connectionFailed).toBe(false);
    expect(r.overflow).toBe(false);
    expect(r.bytes.toString('latin1')).toBe('dir\nrec\0multisync-end 0\0');
    l.end();
    await l.gone;
    expect(l.lines.join('')).toBe('answer\n');
  });

  test('an answer that does not all come in time is given up (overflow), the command is not stopped', async () => {
    const l = linger();
    const s = sshStream(SH, 'h', 'echo dir; printf partial; cat >/dev/null', 1 << 20, 300, undefined, l);
    expect(await s.first).toBe('dir');
    const r = await s.whole;
    expect(r.overflow).toBe(true);
    expect(r.connectionFailed).toBe(false);
    let closed = false;
    void l.gone.then(() => (closed = true));
    await Promise.resolve();
    expect(closed).toBe(false); // (still running: it carries the daemon)
    l.end();
    await l.gone;
  });

  test('more than maxBuffer: given up without stopping the command', async () => {
    const l = linger();
    const s = sshStream(SH, 'h', "echo dir; head -c 5000 /dev/zero; printf 'multisync-end 0\\0'; cat >/dev/null", 1000, 60_000, undefined, l);
    const r = await s.whole;
    expect(r.overflow).toBe(true);
    l.end();
    await l.gone;
  });

  test('without a Linger a command that never answers is killed at the timeout', async () => {
    const s = sshStream(SH, 'h', 'exec sleep 30', 1 << 20, 300);
    const r = await s.whole;
    expect(r.connectionFailed).toBe(true);
    expect(r.stderr).toMatch(/no answer within 0.3 s/);
  });
});
