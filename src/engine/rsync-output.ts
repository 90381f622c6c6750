// Scans rsync's `--info=progress2,name1 --stats` stdout as it comes, in chunks of any size:
// a name line per item rsync changed (name1), progress segments ending in '\r', the statistics
// at the end. A cold copy prints a line per file, so a chunk is scanned once without a string
// per line: names are counted (not kept), only the chunk's last progress segment is parsed.
// (rsync escapes non-ASCII bytes under LC_ALL=C: a latin1 string is exact.)
import { parseSegment } from './progress-parser.ts';

/** Error messages rsync prints on stdout (the rest go to stderr); file names never start so. */
const STDOUT_ERROR = /(?:rsync(?::| error| warning)|cannot delete |could not make way )/y;
const STATS_LINE = /(?:Number of |Total |Literal data|Matched data|File list |sent \d|total size is)/y;
const TRANSFERRED = /^Number of regular files transferred: ([\d,.]+)/;
const SENT = /^Total bytes sent: ([\d,.]+)/;
const LAST_STATS_LINE = /^total size is /;
/** A cheap first look before the full progress pattern. */
const PROGRESS_START = /[^\S\r\n]*[\d,.']+[^\S\r\n]+\d{1,3}%/y;
const num = (s: string) => Number(s.replace(/[,.]/g, ''));

export interface OutputSink {
  /** Once per chunk that had a progress segment or a name. */
  progress(bytes: number, checked: number | null, currentFile: string | undefined): void;
  /** Every name (or other non-progress, non-statistics) line, trimmed: only when asked for. */
  line?(text: string): void;
  /** A line that is one of rsync's error messages (untrimmed). */
  error(line: string): void;
  /** The last statistics line: rsync's work is done. */
  finishing(): void;
}

export class RsyncOutput {
  bytes = 0;
  /** Fraction of rsync's file list checked so far, 0..1 (null until known). */
  checked: number | null = null;
  transferred: number | undefined;
  bytesSent: number | undefined;
  /** Name lines: items rsync created or changed. */
  items = 0;
  /** The statistics block, for the log. */
  stats = '';
  private rest = '';

  constructor(private sink: OutputSink) {}

  push(chunk: string): void {
    const text = this.rest ? this.rest + chunk : chunk;
    const sink = this.sink;
    let start = 0;
    let nl = -2;
    let cr = -2;
    let progress = -1;
    let progressEnd = -1;
    let name = -1;
    let nameEnd = -1;
    for (;;) {
      // next '\n' and '\r' are looked up again only once passed (no rescans of a long chunk)
      if (nl !== -1 && nl < start) nl = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      const end = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
      if (end < 0) break;
      const from = start;
      start = end + 1;
      if (end === from) continue;
      const c = text.charCodeAt(from);
      if (c === 0x20 || (c >= 0x30 && c <= 0x39)) {
        PROGRESS_START.lastIndex = from;
        if (PROGRESS_START.test(text) && PROGRESS_START.lastIndex <= end) {
          progress = from;
          progressEnd = end;
          continue;
        }
        if (!text.slice(from, end).trim()) continue;
      }
      STATS_LINE.lastIndex = from;
      if (STATS_LINE.test(text)) {
        this.statsLine(text.slice(from, end));
        continue;
      }
      this.items++;
      name = from;
      nameEnd = end;
      if (sink.line) sink.line(text.slice(from, end).trim());
      STDOUT_ERROR.lastIndex = from;
      if (STDOUT_ERROR.test(text)) sink.error(text.slice(from, end));
    }
    this.rest = text.slice(start);
    // a runaway segment with no terminator (should not happen) must not grow without bound
    if (this.rest.length > 65536) this.rest = this.rest.slice(-4096);
    if (progress >= 0) {
      const p = parseSegment(text.slice(progress, progressEnd));
      if (p?.type === 'progress') {
        this.bytes = p.bytes;
        if (p.total) this.checked = (p.total - (p.toCheck ?? p.total)) / p.total;
      }
    }
    if (progress >= 0 || name >= 0) sink.progress(this.bytes, this.checked, name >= 0 ? text.slice(name, nameEnd).trim() : undefined);
  }

  /** The end of the output: a last segment without terminator counts too. */
  end(): void {
    this.push('\n');
  }

  private statsLine(seg: string): void {
    this.stats += `${seg}\n`;
    let m: RegExpExecArray | null;
    if ((m = TRANSFERRED.exec(seg))) this.transferred = num(m[1]);
    else if ((m = SENT.exec(seg))) this.bytesSent = num(m[1]);
    else if (LAST_STATS_LINE.test(seg)) this.sink.finishing();
  }
}
