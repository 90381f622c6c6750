// Bottom line: the keys. Key caps are inverse so they read without colour.
import type { Snapshot } from '../engine/types.ts';
import type { Segment } from './line.ts';

export function keyBarLine(snapshot: Snapshot | null, quitRequested: number, showHelp: boolean): Segment[] {
  const draining = quitRequested > 0 || snapshot?.phase === 'draining' || snapshot?.phase === 'cancelling';
  const keys: Array<[string, string]> = [
    ['p', snapshot?.paused ? 'resume' : 'pause'],
    ['r', 'retry failed'],
    ['+/-', snapshot ? `processes (${snapshot.processes})` : 'processes'],
    ['q', draining ? 'cancel now' : 'quit'],
    ['?', showHelp ? 'close help' : 'help'],
  ];
  const segs: Segment[] = [];
  for (const [key, label] of keys) {
    if (segs.length > 0) segs.push({ text: '  ' });
    segs.push({ text: ` ${key} `, inverse: true, bold: true }, { text: ` ${label}` });
  }
  return segs;
}
