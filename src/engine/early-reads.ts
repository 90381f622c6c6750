// Reading SRC while the destination check waits for DST's listing (a DST on an ssh host: the
// listing arrives over ssh after the pre-flight, ssh-stream.ts). The walk cannot tell which
// entries are in place before the listing is here, but it can read SRC's directories: they are
// read meanwhile, in the walk's own order, and the walk then takes them from here instead of
// reading them again (dir-ahead.ts). Bounded (EARLY_ENTRIES): the rest is read as ever.
import { setImmediate } from 'node:timers';
import { readDirNow, type DirResult } from './dir-reader.ts';

/** Entries read ahead at most (~200 bytes each while they wait). */
export const EARLY_ENTRIES = 50_000;
/** The event loop (the listing's data) gets a turn after this much reading. */
const SLICE_MS = 4;
const NON_ASCII = /[^\x00-\x7f]/;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/**
 * Reads the tree under `top` (an absolute latin1 path without its trailing slash, as the walk
 * names directories) depth-first in sorted order, with every entry's full lstat, until `ready`
 * settles, the tree is read, `budget` entries were read or `signal` aborts (the caller then
 * waits for `ready` itself). `xdev`: with rsync -x, the device whose directories are read (-1:
 * any). Returns each directory's listing by its path.
 */
export async function readWhileWaiting(ready: Promise<unknown>, top: string, ascii: boolean, xdev: number, signal?: AbortSignal, budget = EARLY_ENTRIES): Promise<Map<string, DirResult>> {
  let waiting = true;
  ready.then(
    () => void (waiting = false),
    () => void (waiting = false),
  );
  const read = new Map<string, DirResult>();
  const stack: Array<{ dir: string; ascii: boolean }> = [{ dir: top, ascii }];
  let entries = 0;
  let slice = performance.now();
  while (waiting && stack.length && entries < budget && !signal?.aborted) {
    const { dir, ascii: dirAscii } = stack.pop()!;
    const got = readDirNow(dir, dirAscii, true);
    read.set(dir, got);
    if ('names' in got && got.num) {
      entries += got.names.length;
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      // (pushed in reverse: taken in sorted order, as the walk takes them)
      for (let i = got.names.length - 1, k = i * 9; i >= 0; i--, k -= 9) {
        if (got.num[k] < 0 || (got.num[k] & S_IFMT) !== S_IFDIR || (xdev >= 0 && got.num[k + 3] !== xdev)) continue;
        stack.push({ dir: prefix + got.names[i], ascii: dirAscii && !NON_ASCII.test(got.names[i]) });
      }
    }
    if (performance.now() - slice >= SLICE_MS) {
      await new Promise<void>((r) => setImmediate(r));
      slice = performance.now();
    }
  }
  return read;
}
