/** A usage or pre-flight problem: one line on stderr, exit code 2, nothing written. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
