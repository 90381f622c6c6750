// Status lines above the body: the PAUSED banner, and what quitting is doing (draining,
// cancelling or finished).
import type { Snapshot } from '../engine/types.ts';
import { cell } from './format.ts';
import type { Segment } from './line.ts';

/** Full-width inverse bar: PAUSED must be visible without colour and at a glance. */
export function pausedLine(width: number): Segment[] {
  const text = cell(' ** PAUSED **  no new buckets start; press p to resume', width);
  return [{ text, inverse: true, bold: true, color: 'yellow' }];
}

/** The notice text, or null when there is nothing to say. */
export function quitNoticeText(phase: Snapshot['phase'] | undefined, quitRequested: number): string | null {
  if (phase === 'done') return 'run finished';
  if (phase === 'held' && quitRequested === 0) return 'all buckets ran, some FAILED: press r to retry them, q to finish';
  if (phase === 'cancelling' || quitRequested > 1) return 'cancelling: stopping running rsync processes…';
  if (phase === 'draining' || quitRequested === 1) return 'finishing running buckets… press q again to cancel';
  return null;
}

/** The notice as a line, or null when there is nothing to say. */
export function quitNoticeLine(phase: Snapshot['phase'] | undefined, quitRequested: number): Segment[] | null {
  const text = quitNoticeText(phase, quitRequested);
  if (text === null) return null;
  return [{ text: `>> ${text}`, bold: true, color: phase === 'done' ? 'green' : phase === 'held' ? 'red' : 'yellow' }];
}
