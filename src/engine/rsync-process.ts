// Runs one rsync for one bucket: argv array via node:child_process (never a shell), its own
// process group (so pause/cancel reach rsync's helper processes too), stdout parsed for live
// progress, stderr and name lines appended to the bucket's log. (No execa: importing it cost
// ~45 ms of start-up, a third of a whole no-op run.)
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { classifyExit } from './exit-codes.ts';
import { ProgressParser } from './progress-parser.ts';
import type { Outcome } from './types.ts';

export interface RsyncProgress {
  bytes: number;
  /** Fraction of rsync's file list checked so far, 0..1 (null until known). */
  checked: number | null;
  currentFile?: string;
}

export interface RsyncRun {
  pid: number | undefined;
  /** Sends a signal to rsync's whole process group. */
  signal(sig: NodeJS.Signals): void;
  done: Promise<Outcome>;
}

export interface RsyncSpawn {
  rsync: string;
  argv: string[];
  logFile: string;
  /** Extra data for rsync's stdin (a worker host streams the file list), else stdin is closed. */
  input?: string | Buffer;
  onProgress(p: RsyncProgress): void;
  /** Every non-progress line rsync printed on stdout (names, deletions). */
  onLine?(text: string): void;
  /**
   * rsync printed the last line of its statistics: the transfer is over and it only waits for
   * its helper processes now (its exit status comes with `done`).
   */
  onFinishing?(): void;
}

/** Error messages rsync prints on stdout (the rest go to stderr); file names never start so. */
const STDOUT_ERROR = /^(rsync(:| error| warning)|cannot delete |could not make way )/;
/** rsync's closing line after real errors: only used when nothing more specific was printed. */
const GENERIC = /^rsync error: (some files|partial transfer)/;

const STATS_LINE = /^(Number of |Total |Literal data|Matched data|File list |sent \d|total size is)/;
const TRANSFERRED = /^Number of regular files transferred: ([\d,.]+)/;
const SENT = /^Total bytes sent: ([\d,.]+)/;
const LAST_STATS_LINE = /^total size is /;
const num = (s: string) => Number(s.replace(/[,.]/g, ''));

export function pickFirstError(lines: string[]): string | undefined {
  // a full disk is the line that matters most: it stops the whole run
  return lines.find((l) => /No space left on device|Disk quota exceeded/i.test(l)) ?? lines.find((l) => !GENERIC.test(l)) ?? lines[0];
}

export function startRsync(s: RsyncSpawn): RsyncRun {
  const log = createWriteStream(s.logFile, { flags: 'a' });
  log.write(`$ ${s.rsync} ${s.argv.map((a) => JSON.stringify(a)).join(' ')}\n`);
  const child = spawn(s.rsync, s.argv, {
    detached: true,
    stdio: [s.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // the log's path marks the rsync as this run's (killOrphans): its argv need not name the run
    env: { ...process.env, LC_ALL: 'C', MULTISYNC_LOG: s.logFile },
  });
  if (s.input !== undefined && child.stdin) {
    child.stdin.on('error', () => {}); // rsync may exit before reading it all (EPIPE)
    child.stdin.end(s.input);
  }
  const errors: string[] = [];
  const noteError = (line: string) => {
    if (errors.length < 20 && line) errors.push(line);
  };
  const parser = new ProgressParser();
  let bytes = 0;
  let checked: number | null = null;
  let transferred: number | undefined;
  let bytesSent: number | undefined;
  let items = 0;

  const handle = (chunk: Buffer | string) => {
    for (const item of parser.push(chunk.toString())) {
      if (item.type === 'progress') {
        bytes = item.bytes;
        if (item.total) checked = (item.total - (item.toCheck ?? item.total)) / item.total;
        s.onProgress({ bytes, checked });
      } else if (STATS_LINE.test(item.text)) {
        let m: RegExpExecArray | null;
        if ((m = TRANSFERRED.exec(item.text))) transferred = num(m[1]);
        else if ((m = SENT.exec(item.text))) bytesSent = num(m[1]);
        else if (LAST_STATS_LINE.test(item.text)) s.onFinishing?.();
      } else {
        items++;
        log.write(`${item.text}\n`);
        s.onLine?.(item.text);
        if (STDOUT_ERROR.test(item.text)) noteError(item.text);
        s.onProgress({ bytes, checked, currentFile: item.text });
      }
    }
  };
  child.stdout?.on('data', handle);
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    log.write(text);
    for (const l of text.split('\n')) noteError(l.trim());
  });

  const exited = new Promise<{ code: number | null; sig: string | null }>((resolve) => {
    child.on('error', (err) => {
      noteError(`cannot run ${s.rsync}: ${err.message}`);
      resolve({ code: null, sig: null });
    });
    // 'close': the process exited and its stdout/stderr are drained
    child.on('close', (code, sig) => resolve({ code, sig }));
  });
  const done = exited.then(async ({ code, sig }) => {
    handle('\n');
    const outcome = classifyExit(code, sig, pickFirstError(errors));
    outcome.transferred = transferred;
    outcome.bytesSent = bytesSent;
    outcome.items = items;
    log.write(`# exit ${code ?? sig}: ${outcome.meaning}\n`);
    await new Promise<void>((resolve) => log.end(resolve));
    return outcome;
  });

  return {
    pid: child.pid,
    signal(sig) {
      if (!child.pid) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          /* already gone */
        }
      }
    },
    done,
  };
}
