// Failed buckets: exit code, what it means, the first error rsync printed and
// where the full log is. Only the most recent few fit; the title says so.
// Logs usually share a directory: it is shown once in the title and each
// entry names its file, so paths stay whole even at 80 columns.
import type { FailureSnapshot } from '../engine/types.ts';
import { formatCount, stringWidth, truncateEnd, truncateMiddle } from './format.ts';
import type { Segment } from './line.ts';

/** Directory (ending in '/') shared by all paths, or '' if none. */
export function commonLogDir(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  let dir = paths[0]!.slice(0, paths[0]!.lastIndexOf('/') + 1);
  for (const p of paths) {
    while (dir && !p.startsWith(dir)) dir = dir.slice(0, dir.slice(0, -1).lastIndexOf('/') + 1);
  }
  return dir === '/' ? '' : dir;
}

function exitText(f: FailureSnapshot): string {
  return f.exitCode === null ? `exit - (${f.kind})` : `exit ${f.exitCode}`;
}

/** `bucket 12  exit 23  <meaning>  log <file>`; the log keeps priority. */
function summaryLine(f: FailureSnapshot, logDir: string, width: number): Segment[] {
  const head = `bucket ${f.bucket}  `;
  const exit = exitText(f);
  const meaning = f.attempts > 1 ? `${f.meaning} (${f.attempts} attempts)` : f.meaning;
  const log = f.logFile.slice(logDir.length);
  const room = Math.max(0, width - stringWidth(head) - stringWidth(exit) - 2 - stringWidth('  log '));
  const logWidth = Math.min(stringWidth(log), Math.max(Math.ceil(room / 2), room - Math.min(stringWidth(meaning), 16)));
  return [
    { text: head, bold: true },
    { text: exit, color: 'red', bold: true },
    { text: '  ' },
    { text: truncateEnd(meaning, room - logWidth) },
    { text: '  log ', dim: true },
    { text: truncateMiddle(log, logWidth) },
  ];
}

function errorLine(f: FailureSnapshot, width: number): Segment[] {
  const error = f.firstError.trim() || '(no error line captured; see the log)';
  return [{ text: '    ' }, { text: truncateEnd(error, width - 4), color: 'yellow' }];
}

function titleLine(total: number, shown: number, logDir: string, width: number): Segment[] {
  const segs: Segment[] = [
    { text: `FAILED buckets: ${formatCount(total)}`, color: 'red', bold: true },
    { text: shown < total ? `  (last ${shown} shown)` : '', dim: true },
    { text: '  r retries', dim: true },
  ];
  if (logDir) {
    const used = segs.reduce((w, s) => w + stringWidth(s.text), 0) + stringWidth('  logs in ');
    segs.push({ text: '  logs in ', dim: true }, { text: truncateMiddle(logDir, width - used) });
  }
  return segs;
}

/** The title, then two lines for each of the last `entries` failures. */
export function failureLines(failures: readonly FailureSnapshot[], width: number, entries: number): Segment[][] {
  const shown = entries > 0 ? failures.slice(-entries) : [];
  const logDir = commonLogDir(shown.map((f) => f.logFile));
  const lines = [titleLine(failures.length, shown.length, logDir, width)];
  for (const f of shown) lines.push(summaryLine(f, logDir, width), errorLine(f, width));
  return lines;
}
