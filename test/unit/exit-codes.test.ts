import { describe, expect, test } from 'bun:test';
import { classifyExit, exitMeaning, isRetryable, isSuccess } from '../../src/engine/exit-codes.ts';
import type { OutcomeKind } from '../../src/engine/types.ts';

describe('classifyExit', () => {
  test.each<[number | null, string | null, OutcomeKind]>([
    [0, null, 'ok'],
    [23, null, 'partial'],
    [24, null, 'vanished'],
    [10, null, 'retryable'],
    [12, null, 'retryable'],
    [30, null, 'retryable'],
    [35, null, 'retryable'],
    [255, null, 'retryable'],
    [20, null, 'cancelled'],
    [null, 'SIGTERM', 'cancelled'],
    [null, 'SIGKILL', 'cancelled'],
    [1, null, 'fatal'],
    [2, null, 'fatal'],
    [3, null, 'fatal'],
    [5, null, 'fatal'],
    [11, null, 'fatal'],
    [22, null, 'fatal'],
    [25, null, 'fatal'],
    [127, null, 'fatal'],
    [null, null, 'fatal'],
  ])('code %p signal %p → %p', (code, signal, kind) => {
    const o = classifyExit(code, signal);
    expect(o.kind).toBe(kind);
    expect(o.exitCode).toBe(code);
    expect(o.signal).toBe(signal ?? undefined);
    expect(o.meaning).toBe(exitMeaning(code, signal));
    expect(o.firstError).toBeUndefined();
  });

  test.each<[number | null, string | null, string]>([
    [11, null, 'rsync: [receiver] write failed on "/dst/f": No space left on device (28)'],
    [23, null, 'rsync: write failed on "/dst/f": No space left on device (28)'],
    [12, null, 'rsync error: error in file IO: ENOSPC'],
    [11, null, 'rsync: [receiver] write failed on "/dst/f": Disk quota exceeded (122)'],
    // a full disk wins even over a signal: the kill was a consequence
    [null, 'SIGPIPE', 'write failed: No space left on device (28)'],
  ])('code %p signal %p with %p → no-space', (code, signal, firstError) => {
    const o = classifyExit(code, signal, firstError);
    expect(o.kind).toBe('no-space');
    expect(o.firstError).toBe(firstError);
  });

  test.each<[number, string, OutcomeKind]>([
    [23, 'rsync: send_files failed to open "/src/x": Permission denied (13)', 'partial'],
    [11, 'rsync: write failed: Input/output error (5)', 'fatal'],
    [255, 'ssh: connect to host h port 22: Connection refused', 'retryable'],
  ])('other error lines leave the code in charge: %p', (code, firstError, kind) => {
    const o = classifyExit(code, null, firstError);
    expect(o.kind).toBe(kind);
    expect(o.firstError).toBe(firstError);
  });

  test('exit 0 is ok even when a printed line mentions a full disk (e.g. a file of that name)', () => {
    const o = classifyExit(0, null, 'No space left on device');
    expect(o.kind).toBe('ok');
    expect(o.firstError).toBe('No space left on device');
  });

  test('meanings', () => {
    expect(classifyExit(23).meaning).toBe('partial transfer due to error');
    expect(classifyExit(24).meaning).toBe('partial transfer due to vanished source files');
    expect(classifyExit(255).meaning).toBe('ssh or remote shell failed (connection)');
    expect(classifyExit(99).meaning).toBe('unknown rsync exit code 99');
    expect(classifyExit(null, 'SIGINT').meaning).toBe('killed by SIGINT');
    expect(classifyExit(null).meaning).toBe('did not exit');
  });
});

const KINDS: OutcomeKind[] = ['ok', 'partial', 'vanished', 'retryable', 'cancelled', 'no-space', 'fatal'];

describe('isSuccess / isRetryable', () => {
  test.each<[OutcomeKind, boolean, boolean]>([
    ['ok', true, false],
    ['vanished', true, false],
    ['partial', false, true],
    ['retryable', false, true],
    ['cancelled', false, false],
    ['no-space', false, false],
    ['fatal', false, false],
  ])('%p: success %p, retryable %p', (kind, success, retryable) => {
    expect(isSuccess(kind)).toBe(success);
    expect(isRetryable(kind)).toBe(retryable);
  });

  test('every kind is covered, and none is both a success and retryable', () => {
    for (const k of KINDS) expect(isSuccess(k) && isRetryable(k)).toBe(false);
  });

  test('exit codes end to end', () => {
    const succeeded = [0, 24].map((c) => isSuccess(classifyExit(c).kind));
    expect(succeeded).toEqual([true, true]);
    const retried = [23, 10, 12, 30, 35, 255, 1, 11, 20].map((c) => isRetryable(classifyExit(c).kind));
    expect(retried).toEqual([true, true, true, true, true, true, false, false, false]);
  });
});
