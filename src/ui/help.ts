// Help text shown in place of the tables (Ink has no layers, so the body is
// replaced). Clipped to the height the layout gives it.
import { Box } from 'ink';
import { Line, type Segment } from './Line.tsx';

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

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const lines = helpLines().slice(0, Math.max(0, height));
  return (
    <Box flexDirection="column">
      {lines.map((segs, i) => (
        <Line key={i} width={width} segments={segs} />
      ))}
    </Box>
  );
}
