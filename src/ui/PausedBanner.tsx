// Full-width inverse bar: PAUSED must be visible without colour and at a glance.
import { cell } from './format.ts';
import { Line } from './Line.tsx';

export function PausedBanner({ width }: { width: number }) {
  const text = cell(' ** PAUSED **  no new buckets start; press p to resume', width);
  return <Line width={width} segments={[{ text, inverse: true, bold: true, color: 'yellow' }]} />;
}
