// Runs one rsync for one bucket: an argv array (never a shell), its own process group (so
// pause/cancel reach rsync's helper processes too), stdout parsed for live progress, stderr and
// error lines appended to the bucket's log. Spawned with node:child_process.
// (No execa: importing it cost ~45 ms of start-up, a third of a whole no-op run.)
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { classifyExit } from './exit-codes.ts';
import { parseSegment } from './progress-parser.ts';
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
/** A cheap first look before the full progress pattern. */
const PROGRESS_START = /^\s*[\d,.']+\s+\d{1,3}%/;
const num = (s: string) => Number(s.replace(/[,.]/g, ''));

export function pickFirstError(lines: string[]): string | undefined {
  // a full disk is the line that matters most: it stops the whole run
  return lines.find((l) => /No space left on device|Disk quota exceeded/i.test(l)) ?? lines.find((l) => !GENERIC.test(l)) ?? lines[0];
}

/** A started child: its pid, its output as chunks, and how it ended. */
interface Child {
  pid: number | undefined;
  /** Resolves once the process exited and its stdout and stderr were read to the end. */
  ended: Promise<{ code: number | null; sig: string | null; error?: string }>;
  kill(sig: NodeJS.Signals): void;
}

/** node:child_process (the engine uses node: APIs only, so it also runs under Deno). */
function spawnNode(s: RsyncSpawn, env: Record<string, string | undefined>, out: (c: Uint8Array) => void, err: (c: Uint8Array) => void): Child {
  const child = spawn(s.rsync, s.argv, {
    detached: true,
    stdio: [s.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env,
  });
  if (s.input !== undefined && child.stdin) {
    child.stdin.on('error', () => {}); // rsync may exit before reading it all (EPIPE)
    child.stdin.end(s.input);
  }
  child.stdout?.on('data', out);
  child.stderr?.on('data', err);
  const ended = new Promise<{ code: number | null; sig: string | null; error?: string }>((resolve) => {
    child.on('error', (e) => resolve({ code: null, sig: null, error: e.message }));
    // 'close': the process exited and its stdout/stderr are drained
    child.on('close', (code, sig) => resolve({ code, sig }));
  });
  return { pid: child.pid, ended, kill: (sig) => child.kill(sig) };
}

/**
 * The bucket's log: the command, rsync's stderr, the error lines of its stdout, its statistics
 * and how it ended (names of the items it changed are counted, not logged). Small: written with
 * plain appends as it comes.
 */
function bucketLog(file: string) {
  const append = (text: string) => {
    try {
      appendFileSync(file, text);
    } catch {
      /* the run dir is gone (cancelled run cleaned up): nothing to keep */
    }
  };
  return { append };
}

/** The command for the log: names given as arguments are in the bucket's list, so a long tail is cut. */
export function commandLine(rsync: string, argv: string[], max = 40): string {
  const shown = argv.length > max ? [...argv.slice(0, max - 1), `… ${argv.length - max} more …`, argv[argv.length - 1]] : argv;
  return [rsync, ...shown].map((a) => JSON.stringify(a)).join(' ');
}

export function startRsync(s: RsyncSpawn): RsyncRun {
  const log = bucketLog(s.logFile);
  log.append(`$ ${commandLine(s.rsync, s.argv)}\n`);
  const errors: string[] = [];
  const noteError = (line: string) => {
    if (errors.length < 20 && line) errors.push(line);
  };
  let bytes = 0;
  let checked: number | null = null;
  let transferred: number | undefined;
  let bytesSent: number | undefined;
  let items = 0;
  let rest = '';
  let stats = '';

  // stdout: a name line per item rsync changed (name1), progress segments ending in '\r', and
  // the statistics at the end. A cold copy prints a line per file, so a chunk is scanned once:
  // names are counted (not logged), only the chunk's last progress segment is parsed, and the
  // consumer hears once per chunk. (rsync escapes non-ASCII bytes under LC_ALL=C: latin1 is exact.)
  const handle = (chunk: Uint8Array | string) => {
    const text = rest + (typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1'));
    let start = 0;
    let progress: string | null = null;
    let name: string | undefined;
    for (;;) {
      let end = text.indexOf('\n', start);
      const cr = text.indexOf('\r', start);
      if (cr >= 0 && (end < 0 || cr < end)) end = cr;
      if (end < 0) break;
      const seg = text.slice(start, end);
      start = end + 1;
      if (!seg) continue;
      const c = seg.charCodeAt(0);
      if (c === 0x20 || (c >= 0x30 && c <= 0x39)) {
        if (PROGRESS_START.test(seg)) {
          progress = seg;
          continue;
        }
        if (!seg.trim()) continue;
      }
      if (STATS_LINE.test(seg)) {
        stats += `${seg}\n`;
        let m: RegExpExecArray | null;
        if ((m = TRANSFERRED.exec(seg))) transferred = num(m[1]);
        else if ((m = SENT.exec(seg))) bytesSent = num(m[1]);
        else if (LAST_STATS_LINE.test(seg)) s.onFinishing?.();
      } else {
        items++;
        name = seg;
        if (s.onLine) s.onLine(seg.trim());
        if (STDOUT_ERROR.test(seg)) {
          noteError(seg.trim());
          log.append(`${seg}\n`);
        }
      }
    }
    rest = text.slice(start);
    // a runaway segment with no terminator (should not happen) must not grow without bound
    if (rest.length > 65536) rest = rest.slice(-4096);
    if (progress !== null) {
      const p = parseSegment(progress);
      if (p?.type === 'progress') {
        bytes = p.bytes;
        if (p.total) checked = (p.total - (p.toCheck ?? p.total)) / p.total;
      }
    }
    if (progress !== null || name !== undefined) s.onProgress({ bytes, checked, currentFile: name?.trim() });
  };
  const handleErr = (chunk: Uint8Array) => {
    const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString();
    log.append(text);
    for (const l of text.split('\n')) noteError(l.trim());
  };

  // the log's path marks the rsync as this run's (killOrphans): its argv need not name the run
  const env = { ...process.env, LC_ALL: 'C', MULTISYNC_LOG: s.logFile };
  const child = spawnNode(s, env, handle, handleErr);
  const done = child.ended.then(({ code, sig, error }) => {
    if (error) noteError(`cannot run ${s.rsync}: ${error}`);
    handle('\n');
    const outcome = classifyExit(code, sig, pickFirstError(errors));
    outcome.transferred = transferred;
    outcome.bytesSent = bytesSent;
    outcome.items = items;
    log.append(`${stats}# exit ${code ?? sig}: ${outcome.meaning}\n`);
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
