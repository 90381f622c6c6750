// Append-only, crash-safe run journal: one JSON record per line, written in order at once and
// fsync'd in batches. Order makes it prefix-consistent; a torn last line is ignored on load.
import { closeSync, fstatSync, fsync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

export type JournalRecord =
  | { t: 'run'; at: number; version: string; sources: string[]; destination: string; resumed: boolean }
  | { t: 'bucket'; id: number; source: number; files: number; bytes: number }
  | { t: 'start'; id: number; pid: number }
  | { t: 'done'; id: number; exitCode: number }
  | { t: 'failed'; id: number; exitCode: number | null; error: string }
  | { t: 'split'; id: number; into: number[] }
  | { t: 'tree'; source: number; path: string }
  | { t: 'crawl-done'; source: number }
  | { t: 'end'; at: number; status: string; exitCode: number; files: number; bytes: number; buckets: number; failedBuckets: number; skippedBuckets: number; elapsedMs: number };

const SYNC_EVERY_MS = 200;

export class Journal {
  private fd: number;
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** A batch's fsync is running off the main thread (it waits on the disk: seconds when busy). */
  private syncing = false;
  /** close() came while it ran: its callback closes the descriptor. */
  private closing = false;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'a', 0o600);
  }

  /**
   * Written at once (a killed process loses nothing), fsync'd in batches (power loss). Several
   * records go in one write (a crawl ends ~a thousand subtrees at once on a small tree).
   */
  append(rec: JournalRecord): void {
    this.appendAll([rec]);
  }

  appendAll(recs: JournalRecord[]): void {
    if (this.fd < 0 || this.closing || !recs.length) return;
    let text = '';
    for (const rec of recs) {
      text += `${JSON.stringify(rec)}\n`;
      if (text.length >= 1 << 16) {
        writeSync(this.fd, text);
        text = '';
      }
    }
    if (text) writeSync(this.fd, text);
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.syncing) return;
    this.timer = setTimeout(() => this.flushAsync(), SYNC_EVERY_MS);
    this.timer.unref?.();
  }

  /** A batch's fsync without blocking the run (rsync output, dispatch) while the disk catches up. */
  private flushAsync(): void {
    this.timer = null;
    if (!this.dirty || this.fd < 0 || this.syncing || this.closing) return;
    this.dirty = false;
    this.syncing = true;
    const fd = this.fd;
    fsync(fd, () => {
      this.syncing = false;
      if (this.closing) {
        this.closing = false;
        closeSync(fd);
      } else if (this.dirty) this.schedule();
    });
  }

  /** fsyncs everything appended so far, now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if ((!this.dirty && !this.syncing) || this.fd < 0) return;
    fsyncSync(this.fd);
    this.dirty = false;
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    // a batch's fsync still running owns the descriptor until it returns
    if (this.syncing) this.closing = true;
    else closeSync(this.fd);
    this.fd = -1;
  }
}

/** Reads every whole record; a torn or corrupt line (a crash mid-write) ends the journal. */
export function readJournal(file: string): JournalRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: JournalRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      break;
    }
  }
  return out;
}

/** What lastRecord reads of a journal: its end (a record is a few hundred bytes). */
const TAIL_BYTES = 4096;

/**
 * The journal's last whole record (only its end is read), or null: none or unreadable. `strict`:
 * null when the last line is torn, instead of the whole record before it.
 */
export function lastRecord(file: string, { strict = false } = {}): JournalRecord | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, TAIL_BYTES));
    const n = readSync(fd, buf, 0, buf.length, size - buf.length);
    // (a torn last line, a crash mid-write, is passed over as readJournal does; the tail's
    // first line may be cut and is never taken)
    const lines = buf.toString('utf8', 0, n).split('\n');
    for (let i = lines.length - 1; i >= (buf.length < size ? 1 : 0); i--) {
      if (!lines[i].trim()) continue;
      try {
        return JSON.parse(lines[i]) as JournalRecord;
      } catch {
        if (strict) return null;
      }
    }
    return null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** What an earlier run left, folded from its records. */
export interface JournalState {
  runs: number;
  sources: string[];
  destination: string;
  buckets: Map<number, { id: number; source: number; files: number; bytes: number }>;
  done: Set<number>;
  failed: Map<number, { exitCode: number | null; error: string }>;
  split: Set<number>;
  trees: Array<Set<string>>;
  crawlDone: Set<number>;
  pids: Map<number, number>;
  lastId: number;
  end: Extract<JournalRecord, { t: 'end' }> | null;
}

export function foldJournal(records: JournalRecord[]): JournalState {
  const st: JournalState = {
    runs: 0, sources: [], destination: '', buckets: new Map(), done: new Set(), failed: new Map(), split: new Set(),
    trees: [], crawlDone: new Set(), pids: new Map(), lastId: 0, end: null,
  };
  for (const r of records) {
    if (r.t === 'run') {
      st.runs++;
      st.sources = r.sources;
      st.destination = r.destination;
      st.end = null;
    } else if (r.t === 'bucket') {
      st.buckets.set(r.id, r);
      st.lastId = Math.max(st.lastId, r.id);
    } else if (r.t === 'start') st.pids.set(r.id, r.pid);
    else if (r.t === 'done') {
      st.done.add(r.id);
      st.failed.delete(r.id);
    } else if (r.t === 'failed') st.failed.set(r.id, r);
    else if (r.t === 'split') st.split.add(r.id);
    else if (r.t === 'tree') (st.trees[r.source] ??= new Set()).add(r.path);
    else if (r.t === 'crawl-done') st.crawlDone.add(r.source);
    else if (r.t === 'end') st.end = r;
  }
  return st;
}
