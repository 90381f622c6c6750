// A bucket's files: bucket-NNNNNN.list, its names as a NUL-separated list (rsync's --from0
// --files-from), and bucket-NNNNNN.log beside it. The bucketer (bucket-cutter.ts) and the halving
// of a failing bucket (bucket-split.ts) write lists; a resumed run (run-state.ts) and --shared
// (shared-plan.ts) find a bucket's files by its name.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/** Writes a list durably (fsync): the journal may name it right after. */
export function writeListFile(file: string, data: Buffer): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function bucketName(id: number): string {
  return `bucket-${String(id).padStart(6, '0')}`;
}
