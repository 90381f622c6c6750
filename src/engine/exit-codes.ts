// rsync exit codes → typed outcomes (house rule 3: failures are data).
import type { Outcome, OutcomeKind } from './types.ts';

export const RSYNC_EXIT_MEANINGS: Record<number, string> = {
  0: 'success',
  1: 'syntax or usage error',
  2: 'protocol incompatibility',
  3: 'errors selecting input/output files, dirs',
  4: 'requested action not supported',
  5: 'error starting client-server protocol',
  6: 'daemon unable to append to log-file',
  10: 'error in socket I/O',
  11: 'error in file I/O',
  12: 'error in rsync protocol data stream',
  13: 'errors with program diagnostics',
  14: 'error in IPC code',
  20: 'received SIGUSR1 or SIGINT',
  21: 'some error returned by waitpid()',
  22: 'error allocating core memory buffers',
  23: 'partial transfer due to error',
  24: 'partial transfer due to vanished source files',
  25: 'the --max-delete limit stopped deletions',
  30: 'timeout in data send/receive',
  35: 'timeout waiting for daemon connection',
  255: 'ssh or remote shell failed (connection)',
};

const RETRYABLE = new Set([10, 12, 30, 35, 255]);

export function exitMeaning(code: number | null, signal?: string | null): string {
  if (signal) return `killed by ${signal}`;
  if (code === null) return 'did not exit';
  return RSYNC_EXIT_MEANINGS[code] ?? `unknown rsync exit code ${code}`;
}

const NO_SPACE = /No space left on device|ENOSPC|Disk quota exceeded/i;

/** Maps an rsync exit (code or signal, plus its first error line) to a typed outcome. */
export function classifyExit(code: number | null, signal?: string | null, firstError?: string): Outcome {
  let kind: OutcomeKind;
  // a clean exit is a success whatever was printed (a file may well be named "No space left on device")
  if (code === 0 && !signal) kind = 'ok';
  else if (firstError && NO_SPACE.test(firstError)) kind = 'no-space';
  else if (signal) kind = 'cancelled';
  else if (code === 24) kind = 'vanished';
  else if (code === 23) kind = 'partial';
  else if (code === 20) kind = 'cancelled';
  else if (code !== null && RETRYABLE.has(code)) kind = 'retryable';
  else kind = 'fatal';
  return { kind, exitCode: code, signal: signal ?? undefined, meaning: exitMeaning(code, signal), firstError };
}

/** ok and vanished (24) both count as a finished bucket. */
export function isSuccess(kind: OutcomeKind): boolean {
  return kind === 'ok' || kind === 'vanished';
}

/** Worth another attempt: network trouble, and partial transfers (rsync re-sends only what is missing). */
export function isRetryable(kind: OutcomeKind): boolean {
  return kind === 'retryable' || kind === 'partial';
}
