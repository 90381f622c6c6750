// sshStream with a Linger (src/engine/ssh-stream.ts): a command that runs on after its answer,
// as the push's pre-flight session does for the far end's daemon. Real ssh to a throwaway sshd
// (sshd.ts): the far end's login shell runs each command, as it does in a run.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sshStream, type Linger } from '../../src/engine/ssh-stream.ts';
import { endMarked } from '../../src/engine/ssh-preflight.ts';
import { sshArgv } from '../../src/engine/ssh-control.ts';
import { HAVE_SSHD, startSshLab, type SshLab } from './sshd.ts';
import { waitFor } from './helpers.ts';

const H = '127.0.0.1';
let lab: SshLab;
let ssh: string[] = [];

const suite = HAVE_SSHD ? describe : describe.skip;

beforeAll(async () => {
  if (!HAVE_SSHD) return;
  lab = await startSshLab([H]);
  ssh = sshArgv(lab.rsh, undefined);
});
afterAll(() => lab?.cleanup());

function linger(): Linger & { lines: string[]; gone: Promise<void>; end(): void; write(text: string): void } {
  let stdin: { end(): void; write(text: string): void } | null = null;
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
    write: (text) => stdin?.write(text),
  };
}

suite('sshStream with a command that runs on (Linger)', () => {
  test('the answer is whole at its end mark while the command still runs; closing stdin ends it', async () => {
    const l = linger();
    const s = sshStream(ssh, H, "echo dir; echo answer >&2; printf 'rec\\0multisync-end 0\\0'; cat >/dev/null", 1 << 20, 60_000, undefined, l);
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
    const s = sshStream(ssh, H, 'echo dir; printf partial; read x; echo "$x" >&2; cat >/dev/null', 1 << 20, 3000, undefined, l);
    expect(await s.first).toBe('dir');
    const r = await s.whole;
    expect(r.overflow).toBe(true);
    expect(r.connectionFailed).toBe(false);
    // (still running, it carries the daemon: it answers a line on stdin)
    l.write('alive\n');
    await waitFor(() => l.lines.join('').includes('alive\n'), 'the command answered after the timeout');
    l.end();
    await l.gone;
  });

  test('more than maxBuffer: given up without stopping the command', async () => {
    const l = linger();
    const s = sshStream(ssh, H, "echo dir; head -c 5000 /dev/zero; printf 'multisync-end 0\\0'; cat >/dev/null", 1000, 60_000, undefined, l);
    const r = await s.whole;
    expect(r.overflow).toBe(true);
    l.end();
    await l.gone;
  });

  test('without a Linger a command that never answers is killed at the timeout', async () => {
    const s = sshStream(ssh, H, 'exec sleep 5', 1 << 20, 3000);
    const r = await s.whole;
    expect(r.connectionFailed).toBe(true);
    expect(r.stderr).toMatch(/no answer within 3 s/);
  });
});
