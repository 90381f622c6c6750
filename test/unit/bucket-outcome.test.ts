// What an attempt's exit means for its bucket: the supervisor's decisions as a table.
import { describe, expect, test } from 'bun:test';
import { failedEvent, failureOf, nextStep, type NextStep, type RunState } from '../../src/engine/bucket-outcome.ts';
import { classifyExit } from '../../src/engine/exit-codes.ts';
import type { Bucket } from '../../src/engine/types.ts';

const RUN: RunState = { cancelled: false, draining: false, retries: 3, backoffMs: 100 };
const ENOSPC = 'rsync: [receiver] write failed on "/dst/f": No space left on device (28)';

describe('nextStep', () => {
  test.each<[string, number | null, string | null, string | undefined, { attempts: number; files: number; maxRetries?: number }, Partial<RunState>, NextStep]>([
    ['ok', 0, null, undefined, { attempts: 1, files: 10 }, {}, { step: 'done' }],
    ['vanished files count as done', 24, null, undefined, { attempts: 1, files: 10 }, {}, { step: 'done' }],
    ['a network error, first attempt: retry after the backoff', 12, null, undefined, { attempts: 1, files: 10 }, {}, { step: 'retry', delayMs: 100 }],
    ['the backoff doubles', 255, null, undefined, { attempts: 3, files: 10 }, {}, { step: 'retry', delayMs: 400 }],
    ['retries used up: a single entry fails', 30, null, undefined, { attempts: 4, files: 1 }, {}, { step: 'fail' }],
    ['a bucket of its own retries (--retries is not its limit)', 35, null, undefined, { attempts: 2, files: 10, maxRetries: 1 }, {}, { step: 'fail' }],
    ['a partial transfer is retried first', 23, null, undefined, { attempts: 1, files: 10 }, {}, { step: 'retry', delayMs: 100 }],
    ['partial transfer of many entries, retries used up: split', 23, null, undefined, { attempts: 4, files: 10 }, {}, { step: 'split' }],
    ['partial transfer of one entry, retries used up: fail', 23, null, undefined, { attempts: 4, files: 1 }, {}, { step: 'fail' }],
    ['a fatal exit that depends on the entries: split', 11, null, undefined, { attempts: 1, files: 10 }, {}, { step: 'split' }],
    ['a syntax or usage error (1): never split', 1, null, undefined, { attempts: 1, files: 10 }, {}, { step: 'fail' }],
    ['protocol incompatibility (2): never split', 2, null, undefined, { attempts: 1, files: 10 }, {}, { step: 'fail' }],
    ['unsupported action (4): never split', 4, null, undefined, { attempts: 1, files: 10 }, {}, { step: 'fail' }],
    ['no space: fail and halt the run', 11, null, ENOSPC, { attempts: 1, files: 10 }, {}, { step: 'fail', halt: ENOSPC }],
    ['killed while the run is cancelled: left over', null, 'SIGTERM', undefined, { attempts: 1, files: 10 }, { cancelled: true }, { step: 'leftover' }],
    ['any exit while the run is cancelled: left over', 23, null, undefined, { attempts: 1, files: 10 }, { cancelled: true }, { step: 'leftover' }],
    ['cancelled while draining: left over', 20, null, undefined, { attempts: 1, files: 10 }, { draining: true }, { step: 'leftover' }],
    ['a partial transfer while draining, retries used up: still split', 23, null, undefined, { attempts: 4, files: 10 }, { draining: true }, { step: 'split' }],
    ['killed by someone else, the run going on: not retried', null, 'SIGKILL', undefined, { attempts: 1, files: 10 }, {}, { step: 'fail' }],
  ])('%s', (_, code, signal, firstError, bucket, run, want) => {
    expect(nextStep(classifyExit(code, signal, firstError), bucket, { ...RUN, ...run })).toEqual(want);
  });
});

describe('failure records', () => {
  const b = { id: 7, source: 1, files: 3, bytes: 42, logFile: '/state/run/bucket-000007.log', attempts: 2, worker: 'h1' } as Bucket;
  test('the first error when there is one, else what the exit means', () => {
    const o = classifyExit(23, null, 'rsync: send_files failed to open "a": Permission denied (13)');
    expect(failureOf(b, o)).toEqual({ bucket: 7, source: 1, files: 3, bytes: 42, exitCode: 23, kind: 'partial', meaning: o.meaning, firstError: o.firstError!, logFile: b.logFile, attempts: 2 });
    expect(failedEvent(b, classifyExit(12, null))).toMatchObject({ type: 'bucket-failed', bucket: 7, error: classifyExit(12, null).meaning, worker: 'h1' });
  });
});
