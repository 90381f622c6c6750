// One line of bucket counters and the process count. Falls back to short
// labels when the long ones do not fit.
import type { Snapshot } from '../engine/types.ts';
import { formatCount } from './format.ts';
import { segmentsWidth, type Segment } from './line.ts';
import type { BasicColor } from './theme.ts';

interface Item {
  long: string;
  short: string;
  value: number;
  color?: BasicColor;
  bold?: boolean;
}

type Tier = 0 | 1 | 2;

/** Tier 0: everything; 1: no total, "procs"; 2: short labels. */
function build(items: Item[], total: string, processes: number, tier: Tier): Segment[] {
  const label = tier === 0 ? `buckets ${total}:` : tier === 1 ? 'buckets:' : 'bkts:';
  const segs: Segment[] = [{ text: label, dim: true }];
  for (const item of items) {
    segs.push(
      { text: ` ${tier === 2 ? item.short : item.long} ` },
      { text: formatCount(item.value), color: item.color, bold: item.bold },
    );
  }
  segs.push({ text: tier === 0 ? '  processes ' : '  procs ', dim: true }, { text: formatCount(processes), bold: true });
  return segs;
}

/** Bucket counters and the process count, shortened until the line fits `width`. */
export function counterLine(s: Snapshot, width: number): Segment[] {
  const b = s.buckets;
  const bucketItems: Item[] = [
    { long: 'queued', short: 'que', value: b.queued },
    { long: 'running', short: 'run', value: b.running, color: 'cyan' },
    { long: 'done', short: 'ok', value: b.done, color: 'green' },
    { long: 'failed', short: 'fail', value: b.failed, color: b.failed > 0 ? 'red' : undefined, bold: b.failed > 0 },
    { long: 'retried', short: 'retry', value: b.retried, color: b.retried > 0 ? 'yellow' : undefined },
    { long: 'skipped', short: 'skip', value: b.skipped },
  ];
  const total = formatCount(b.total);
  let segs = build(bucketItems, total, s.processes, 0);
  if (segmentsWidth(segs) > width) segs = build(bucketItems, total, s.processes, 1);
  if (segmentsWidth(segs) > width) segs = build(bucketItems, total, s.processes, 2);
  return segs;
}
