// Help text shown in place of the tables (Ink has no layers, so the body is
// replaced). The screen clips it to the height the layout gives it.
import type { Segment } from './line.ts';

const KEYS: Array<[string, string]> = [
  ['p', 'pause / resume: no new buckets start while paused'],
  ['r', 'retry every failed bucket'],
  ['+ =', 'one more rsync process'],
  ['-', 'one fewer rsync process (running buckets finish first)'],
  ['q', 'quit gracefully: finish running buckets, start no new ones'],
  ['q q', 'second q: cancel now, killing running rsyncs'],
  ['Ctrl-C', 'cancel now'],
  ['? Esc', 'close this help'],
];

const NOTES: string[] = [
  'Rows: slot, bucket (rN = attempt N), files done/total, bytes copied,',
  'current rate, recent rate (when wide enough), file being copied.',
  'Each bucket has its own rsync log; failed buckets list theirs.',
];

export function helpLines(): Segment[][] {
  const lines: Segment[][] = [[{ text: 'multisync keys', bold: true }]];
  for (const [key, text] of KEYS) {
    lines.push([{ text: '  ' }, { text: key.padEnd(7), bold: true }, { text: text }]);
  }
  lines.push([{ text: '' }]);
  for (const note of NOTES) lines.push([{ text: note, dim: true }]);
  return lines;
}
