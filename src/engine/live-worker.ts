// A running bucket's live state (one per busy slot): what its rsync's progress says, kept where
// rsync's output lands and read when Stats samples (stats.ts), never published per event.
import type { RsyncProgress } from './rsync-process.ts';
import type { Bucket } from './types.ts';

export interface LiveWorker {
  slot: number;
  bucket: number;
  worker?: string;
  files: number;
  bytes: number;
  filesDone: number;
  bytesDone: number;
  currentFile: string;
  startedAt: number;
  attempt: number;
  // sampling state
  lastBytes: number;
  lastAt: number;
  rate: number;
  history: number[];
}

/** Rate samples a live worker keeps for its sparkline. */
export const HISTORY = 40;

/** A bucket's rsync as the progress display follows it, from its start. */
export function liveWorker(slot: number, bucket: Bucket, worker: string | undefined, now: number): LiveWorker {
  return {
    slot,
    bucket: bucket.id,
    files: bucket.files,
    bytes: bucket.bytes,
    filesDone: 0,
    bytesDone: 0,
    currentFile: '',
    startedAt: now,
    attempt: bucket.attempts,
    worker,
    lastBytes: 0,
    lastAt: now,
    rate: 0,
    history: [],
  };
}

/** Where a running bucket's rsync progress goes: its live worker (sampled on the timer, not per event). */
export function followProgress(live: LiveWorker, bucket: Bucket): (p: RsyncProgress) => void {
  return (p) => {
    live.bytesDone = p.bytes;
    if (p.checked !== null) live.filesDone = Math.min(bucket.files, Math.round(bucket.files * p.checked));
    if (p.currentFile) live.currentFile = p.currentFile;
  };
}
