// Tells the admin what quitting is doing: draining, cancelling or finished.
import type { Snapshot } from '../engine/types.ts';
import { Line, type Segment } from './Line.tsx';

export interface QuitNoticeProps {
  phase: Snapshot['phase'] | undefined;
  quitRequested: number;
  width: number;
}

/** The notice text, or null when there is nothing to say. */
export function quitNoticeText(phase: Snapshot['phase'] | undefined, quitRequested: number): string | null {
  if (phase === 'done') return 'run finished';
  if (phase === 'held' && quitRequested === 0) return 'all buckets ran, some FAILED: press r to retry them, q to finish';
  if (phase === 'cancelling' || quitRequested > 1) return 'cancelling: stopping running rsync processes…';
  if (phase === 'draining' || quitRequested === 1) return 'finishing running buckets… press q again to cancel';
  return null;
}

export function QuitNotice({ phase, quitRequested, width }: QuitNoticeProps) {
  const text = quitNoticeText(phase, quitRequested);
  if (text === null) return null;
  const segs: Segment[] = [{ text: `>> ${text}`, bold: true, color: phase === 'done' ? 'green' : phase === 'held' ? 'red' : 'yellow' }];
  return <Line width={width} segments={segs} />;
}
