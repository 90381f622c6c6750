// A row per running rsync. Columns grow with the terminal: the sparkline of
// recent throughput appears from 100 columns, byte totals from 120, the
// worker host from 140 (when the run has remote workers).
import type { WorkerSnapshot } from '../engine/types.ts';
import { cell, formatBytes, formatCompact, formatCount, formatRate, sparkline, truncateMiddle } from './format.ts';
import type { Segment } from './line.ts';

export interface WorkerColumns {
  slot: number;
  bucket: number;
  worker: number;
  files: number;
  bytes: number;
  /** Show bytes as done/total rather than done only. */
  bytesTotal: boolean;
  rate: number;
  spark: number;
  file: number;
}

/** Column widths for a table `width` columns wide (one space between columns). */
export function workerColumns(width: number, hasWorkerNames = false): WorkerColumns {
  const cols: WorkerColumns = {
    slot: 3,
    bucket: 8,
    worker: width >= 140 && hasWorkerNames ? 12 : 0,
    files: 11,
    bytes: width >= 120 ? 21 : 10,
    bytesTotal: width >= 120,
    rate: 12,
    spark: width >= 140 ? 20 : width >= 100 ? 10 : 0,
    file: 0,
  };
  const fixed = [cols.slot, cols.bucket, cols.worker, cols.files, cols.bytes, cols.rate, cols.spark]
    .filter((w) => w > 0)
    .reduce((sum, w) => sum + w + 1, 0);
  cols.file = Math.max(0, width - fixed);
  return cols;
}

function filesText(w: WorkerSnapshot): string {
  if (w.files < 100_000) return `${w.filesDone}/${w.files}`;
  return `${formatCompact(w.filesDone)}/${formatCompact(w.files)}`;
}

function headerRow(c: WorkerColumns): Segment[] {
  const segs: Segment[] = [
    { text: cell('#', c.slot, 'right') + ' ' },
    { text: cell('bucket', c.bucket) + ' ' },
  ];
  if (c.worker) segs.push({ text: cell('worker', c.worker) + ' ' });
  segs.push(
    { text: cell('files', c.files, 'right') + ' ' },
    { text: cell('bytes', c.bytes, 'right') + ' ' },
    { text: cell('rate', c.rate, 'right') + ' ' },
  );
  if (c.spark) segs.push({ text: cell('recent', c.spark) + ' ' });
  segs.push({ text: cell('current file', c.file) });
  return segs.map((s) => ({ ...s, bold: true }));
}

function workerRow(w: WorkerSnapshot, c: WorkerColumns): Segment[] {
  const bucket = w.attempt > 1 ? `${w.bucket} r${w.attempt}` : String(w.bucket);
  const bytes = c.bytesTotal ? `${formatBytes(w.bytesDone)}/${formatBytes(w.bytes)}` : formatBytes(w.bytesDone);
  const segs: Segment[] = [
    { text: cell(String(w.slot), c.slot, 'right') + ' ', dim: true },
    { text: cell(bucket, c.bucket) + ' ', color: w.attempt > 1 ? 'yellow' : undefined },
  ];
  if (c.worker) segs.push({ text: cell(w.worker ?? '', c.worker) + ' ' });
  segs.push(
    { text: cell(filesText(w), c.files, 'right') + ' ' },
    { text: cell(bytes, c.bytes, 'right') + ' ' },
    { text: cell(formatRate(w.bytesPerSec), c.rate, 'right') + ' ', color: 'cyan' },
  );
  if (c.spark) segs.push({ text: sparkline(w.history, c.spark) + ' ', color: 'cyan' });
  if (w.currentFile) segs.push({ text: truncateMiddle(w.currentFile, c.file) });
  else segs.push({ text: cell('(starting)', c.file), dim: true });
  return segs;
}

export interface WorkerTableOptions {
  width: number;
  /** Rows to show; the rest are summarised on a "+N more" line if moreLine. */
  rows: number;
  moreLine: boolean;
  idleLine: boolean;
  /** What to say when nothing runs. */
  idleText: string;
}

/** The table's header, a row per shown worker (by slot), then the "+N more" or idle line. */
export function workerTableLines(workers: readonly WorkerSnapshot[], o: WorkerTableOptions): Segment[][] {
  const cols = workerColumns(o.width, workers.some((w) => Boolean(w.worker)));
  const sorted = [...workers].sort((a, b) => a.slot - b.slot);
  const shown = sorted.slice(0, o.rows);
  const hidden = sorted.length - shown.length;
  const lines = [headerRow(cols), ...shown.map((w) => workerRow(w, cols))];
  if (o.moreLine && hidden > 0) lines.push([{ text: `  +${formatCount(hidden)} more running`, dim: true }]);
  if (o.idleLine && workers.length === 0) lines.push([{ text: `  ${o.idleText}`, dim: true }]);
  return lines;
}
