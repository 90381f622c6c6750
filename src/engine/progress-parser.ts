// Parses rsync's `--info=progress2,name1` stdout: progress updates end with '\r',
// file names (name1) and messages end with '\n'. Feed it chunks as they arrive.

export interface ProgressUpdate {
  type: 'progress';
  /** Bytes this rsync has processed so far (whole transfer, not one file). */
  bytes: number;
  percent: number;
  /** Files transferred so far (xfr#), when the line carries it. */
  transferred?: number;
  /** Entries still to check and total entries in rsync's file list (to-chk=R/T). */
  toCheck?: number;
  total?: number;
}

export interface NameLine {
  type: 'line';
  text: string;
}

export type ParsedLine = ProgressUpdate | NameLine;

const PROGRESS =
  /^\s*([\d,.']+)\s+(\d{1,3})%\s+\S+\s+\d+:\d\d:\d\d(?:\s+\(xfr#(\d+),\s*(?:ir|to)-chk=(\d+)\/(\d+)\))?\s*$/;

/** Parses one segment (without its terminator). Returns null for blank segments. */
export function parseSegment(segment: string): ParsedLine | null {
  const m = PROGRESS.exec(segment);
  if (m) {
    const update: ProgressUpdate = {
      type: 'progress',
      bytes: Number(m[1].replace(/[,.']/g, '')),
      percent: Number(m[2]),
    };
    if (m[3] !== undefined) {
      update.transferred = Number(m[3]);
      update.toCheck = Number(m[4]);
      update.total = Number(m[5]);
    }
    return update;
  }
  const text = segment.trim();
  return text ? { type: 'line', text } : null;
}

/** Incremental splitter: keeps a partial segment between chunks. */
export class ProgressParser {
  private rest = '';

  push(chunk: string): ParsedLine[] {
    const parts = (this.rest + chunk).split(/[\r\n]/);
    this.rest = parts.pop() ?? '';
    // A runaway segment with no terminator (should not happen) must not grow without bound.
    if (this.rest.length > 65536) this.rest = this.rest.slice(-4096);
    const out: ParsedLine[] = [];
    for (const p of parts) {
      const parsed = parseSegment(p);
      if (parsed) out.push(parsed);
    }
    return out;
  }

  end(): ParsedLine[] {
    const parsed = parseSegment(this.rest);
    this.rest = '';
    return parsed ? [parsed] : [];
  }
}
