// Runs one rsync for one bucket: an argv array (never a shell), its own process group (so
// pause/cancel reach rsync's helper processes too), stdout followed for live progress (written
// to a file next to the log, see output-tail.ts), stderr and error lines appended to the
// bucket's log (rsync-log.ts). Spawned with node:child_process (rsync-child.ts).
import { classifyExit } from './exit-codes.ts';
import { OutputTail } from './output-tail.ts';
import { groupGone, spawnNode, type Child } from './rsync-child.ts';
import { bucketLog, commandLine, openLog } from './rsync-log.ts';
import { RsyncOutput } from './rsync-output.ts';
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
  /**
   * A file whose bytes go to the child's stdin once this gives its path (null: stdin is closed
   * empty); without it stdin is closed at once. The stdin stays open until then: a worker host's
   * rsync gets its list this way (workers.ts), and so does an rsync already connected that waits
   * for its --files-from=- list (warm-pass.ts).
   */
  stdinFile?: Promise<string | null>;
  onProgress(p: RsyncProgress): void;
  /** Every non-progress line rsync printed on stdout (names, deletions). */
  onLine?(text: string): void;
  /**
   * rsync printed the last line of its statistics: the transfer is over and it only waits for
   * its helper processes now (its exit status comes with `done`).
   */
  onFinishing?(): void;
  /** The child is a remote shell running rsync on a worker host (workers.ts). */
  viaShell?: boolean;
}

/** rsync's closing line after real errors: only used when nothing more specific was printed. */
const GENERIC = /^rsync error: (some files|partial transfer)/;

export function pickFirstError(lines: string[]): string | undefined {
  // a full disk is the line that matters most: it stops the whole run
  return lines.find((l) => /No space left on device|Disk quota exceeded/i.test(l)) ?? lines.find((l) => !GENERIC.test(l)) ?? lines[0];
}

export function startRsync(s: RsyncSpawn): RsyncRun {
  const log = bucketLog(s.logFile);
  log.append(`$ ${commandLine(s.rsync, s.argv)}\n`);
  const errors: string[] = [];
  const noteError = (line: string) => {
    if (errors.length < 20 && line) errors.push(line);
  };
  const out = new RsyncOutput({
    progress: (bytes, checked, currentFile) => s.onProgress({ bytes, checked, currentFile }),
    line: s.onLine,
    error: (seg) => {
      noteError(seg.trim());
      log.append(`${seg}\n`);
    },
    finishing: () => s.onFinishing?.(),
  });
  const handleErr = (chunk: Uint8Array) => {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString();
    log.append(text);
    for (const l of text.split('\n')) noteError(l.trim());
  };

  // the log's path marks the rsync as this run's (killOrphans): its argv need not name the run
  const env = { ...process.env, LC_ALL: 'C', MULTISYNC_LOG: s.logFile };
  // stdout into a file next to the log (a pipe when it cannot be made): see output-tail.ts
  const tail = OutputTail.create(s.logFile.replace(/(\.log)?$/, '.out'), (text) => out.push(text));
  // stderr straight into the log (its error lines are read back when rsync ends): a pipe per
  // child cost the runtime ~18 KB of memory it gave back only at its next full collection
  // Local transfers only: over a remote shell the pipe's end is how we learn the far end is done
  // (and an ssh connection master may stay in the group).
  const local = !s.viaShell && !s.argv.some((a) => a.startsWith('--rsh=') || a === '-e' || a === '--rsh');
  const errLog = tail && local ? openLog(s.logFile) : null;
  let child: Child;
  try {
    child = spawnNode(s, env, tail, errLog?.fd ?? null, (text) => out.push(text), handleErr);
  } catch (e) {
    tail?.close();
    errLog?.close();
    throw e;
  } finally {
    errLog?.close(); // the child has its own copy
  }
  const done = child.ended.then(async ({ code, sig, error }) => {
    // a stderr pipe closed only once rsync's helpers were gone too; without one, wait for them
    if (errLog && child.pid) await groupGone(child.pid);
    tail?.close();
    // (stdout's error lines were noted as they came)
    if (errLog) for (const l of errLog.readBack().split('\n')) if (!errors.includes(l.trim())) noteError(l.trim());
    if (error) noteError(`cannot run ${s.rsync}: ${error}`);
    out.end();
    const outcome = classifyExit(code, sig, pickFirstError(errors));
    outcome.transferred = out.transferred;
    outcome.bytesSent = out.bytesSent;
    outcome.items = out.items;
    log.append(`${out.stats}# exit ${code ?? sig}: ${outcome.meaning}\n`);
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
