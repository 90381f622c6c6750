// Top four lines: what is copied where, times and crawl state, and progress
// bars by bytes and by files with the overall throughput.
import type { Snapshot } from '../engine/types.ts';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatFileRate,
  formatPercent,
  formatRate,
  progressBar,
  ratio,
  stringWidth,
  truncateMiddle,
} from './format.ts';
import type { Segment } from './line.ts';

function titleLine(s: Snapshot, width: number, dryRun: boolean): Segment[] {
  const segs: Segment[] = [{ text: 'multisync', bold: true }];
  if (dryRun) segs.push({ text: ' ' }, { text: ' DRY RUN ', inverse: true, bold: true });
  segs.push({ text: '  ' });
  const used = segs.reduce((w, seg) => w + stringWidth(seg.text), 0);
  const route = `${s.sources.join(', ')} → ${s.destination}`;
  segs.push({ text: truncateMiddle(route, width - used) });
  return segs;
}

function statusLine(s: Snapshot, width: number): Segment[] {
  const segs: Segment[] = [
    { text: 'elapsed ', dim: true },
    { text: formatDuration(s.elapsedMs) },
    { text: '  ETA ', dim: true },
    { text: s.etaMs === null ? '--' : formatDuration(s.etaMs), bold: true },
    { text: '  ' },
  ];
  if (s.crawlDone) segs.push({ text: 'crawl done', color: 'green' });
  else segs.push({ text: `crawling: ${formatCount(s.filesTotal)} entries so far`, color: 'cyan' });
  if (s.crawlErrors > 0) {
    const used = segs.reduce((w, seg) => w + stringWidth(seg.text), 0);
    const long = `  crawl errors: ${formatCount(s.crawlErrors)}`;
    const text = used + stringWidth(long) <= width ? long : `  errors ${formatCount(s.crawlErrors)}`;
    segs.push({ text, color: 'yellow' });
  }
  return segs;
}

interface Bar {
  label: string;
  fraction: number;
  suffix: string;
}

function makeBar(label: string, fraction: number, detail: string, rate: string): Bar {
  return { label, fraction, suffix: ` ${formatPercent(fraction).padStart(6)}  ${detail}  ${rate}` };
}

/** `label [####....] 45.2%  done / total  rate`; the bar takes `barWidth` columns. */
function barLine({ label, fraction, suffix }: Bar, barWidth: number): Segment[] {
  const segs: Segment[] = [{ text: label, dim: true }];
  if (barWidth >= 5) {
    const bar = progressBar(fraction, barWidth);
    const filled = bar.replace(/\.+$/, '');
    segs.push(
      { text: '[' },
      { text: filled, color: 'green', bold: true },
      { text: bar.slice(filled.length), dim: true },
      { text: ']' },
    );
  }
  segs.push({ text: suffix });
  return segs;
}

/** The four header lines; `dryRun` adds an inverse DRY RUN tag (the Snapshot has no such field). */
export function headerLines(s: Snapshot, width: number, dryRun = false): Segment[][] {
  const growing = s.crawlDone ? '' : '+';
  const bytes = makeBar(
    'bytes ',
    ratio(s.bytesDone, s.bytesTotal),
    `${formatBytes(s.bytesDone)} / ${formatBytes(s.bytesTotal)}${growing}`,
    formatRate(s.bytesPerSec),
  );
  const files = makeBar(
    'files ',
    ratio(s.filesDone, s.filesTotal),
    `${formatCount(s.filesDone)} / ${formatCount(s.filesTotal)}${growing}`,
    formatFileRate(s.filesPerSec),
  );
  // Both bars get the same width so they line up.
  const suffixWidth = Math.max(stringWidth(bytes.suffix), stringWidth(files.suffix));
  const barWidth = width - stringWidth('bytes ') - 2 - suffixWidth;
  return [titleLine(s, width, dryRun), statusLine(s, width), barLine(bytes, barWidth), barLine(files, barWidth)];
}
