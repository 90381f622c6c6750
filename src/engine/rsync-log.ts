// The bucket's log file (rsync-process.ts): the command that ran, rsync's stderr (given the file
// itself as its stderr where it can be, and read back when rsync ends), its error lines, its
// statistics and how it ended.
import { appendFileSync, closeSync, fstatSync, openSync, readFileSync } from 'node:fs';

/**
 * The bucket's log: the command, rsync's stderr, the error lines of its stdout, its statistics
 * and how it ended (names of the items it changed are counted, not logged). Small: written with
 * plain appends as it comes.
 */
export function bucketLog(file: string) {
  const append = (text: string) => {
    try {
      appendFileSync(file, text);
    } catch {
      /* the run dir is gone (cancelled run cleaned up): nothing to keep */
    }
  };
  return { append };
}

/** The bucket log as rsync's stderr: the descriptor to give it, and what was appended after `from`. */
export function openLog(file: string): { fd: number; close(): void; readBack(): string } | null {
  let fd: number;
  let from: number;
  try {
    fd = openSync(file, 'a', 0o600);
    from = fstatSync(fd).size;
  } catch {
    return null;
  }
  let open = true;
  return {
    fd,
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
    // (the log's stdout error lines are appended there too: they are errors as well)
    readBack: () => {
      try {
        const text = readFileSync(file, 'latin1');
        return from < text.length ? Buffer.from(text.slice(from), 'latin1').toString() : '';
      } catch {
        return '';
      }
    },
  };
}

/** The command for the log: names given as arguments are in the bucket's list, so a long tail is cut. */
export function commandLine(rsync: string, argv: string[], max = 40): string {
  const shown = argv.length > max ? [...argv.slice(0, max - 1), `… ${argv.length - max} more …`, argv[argv.length - 1]] : argv;
  return [rsync, ...shown].map((a) => JSON.stringify(a)).join(' ');
}
