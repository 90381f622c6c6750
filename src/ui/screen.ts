// The whole screen as text: the UI state fitted to the terminal (80x24 and up, never more than
// rows - 1 lines). Ink gets it as one <Text> (App.tsx): a frame is a string, so an unchanged
// screen is an unchanged string and React renders nothing, and Ink lays out and draws one node
// instead of a box and texts per line.
import type { Snapshot } from '../engine/types.ts';
import { counterLine } from './counters.ts';
import { failureLines } from './failures-panel.ts';
import { formatCount } from './format.ts';
import { headerLines } from './header.ts';
import { helpLines } from './help.ts';
import { keyBarLine } from './key-bar.ts';
import { planLayout } from './layout.ts';
import { lineText, type Segment } from './line.ts';
import { pausedLine, quitNoticeLine } from './status-lines.ts';
import type { UiData } from './store.ts';
import type { Styles } from './theme.ts';
import { workerTableLines } from './worker-table.ts';

export interface ScreenOptions {
  columns: number;
  rows: number;
  /** Show a DRY RUN tag (the Snapshot does not carry it). */
  dryRun: boolean;
}

function idleText(s: Snapshot): string {
  if (s.paused) return 'paused: no rsync running';
  if (!s.crawlDone && s.buckets.total === 0) {
    // the destination check counts what DST already has as done
    return s.filesDone ? `comparing with DST: ${formatCount(s.filesDone)} already there, nothing to copy yet` : 'waiting for the crawl to fill the first bucket…';
  }
  if (s.buckets.total === 0) return s.filesTotal ? 'nothing to copy: DST already has every entry' : 'nothing to copy';
  if (s.phase === 'done') return 'all rsync processes finished';
  return 'no rsync running';
}

/** Tables (or help) between the status lines and the key bar. */
function bodyLines(s: Snapshot, width: number, rows: number, statusLines: number, showHelp: boolean): Segment[][] {
  const plan = planLayout({ rows, workers: s.workers.length, failures: s.failures.length, statusLines });
  if (showHelp) return helpLines().slice(0, plan.bodyLines);
  const lines: Segment[][] = [];
  if (plan.tableHeader) {
    const table = { width, rows: plan.workerRows, moreLine: plan.moreLine, idleLine: plan.idleLine, idleText: idleText(s) };
    lines.push(...workerTableLines(s.workers, table));
  }
  if (plan.failureTitle) lines.push(...failureLines(s.failures, width, plan.failureEntries));
  return lines;
}

/** Every line of the screen, top to bottom. */
export function screenLines({ snapshot, showHelp, quitRequested }: UiData, o: ScreenOptions): Segment[][] {
  const width = Math.max(1, o.columns);
  const paused = snapshot?.paused ?? false;
  const notice = quitNoticeLine(snapshot?.phase, quitRequested);
  const statusLines = (paused ? 1 : 0) + (notice ? 1 : 0);
  const lines: Segment[][] = snapshot
    ? headerLines(snapshot, width, o.dryRun).concat([counterLine(snapshot, width)])
    : [[{ text: 'multisync', bold: true }, { text: '  starting…', dim: true }]];
  if (paused) lines.push(pausedLine(width));
  if (notice) lines.push(notice);
  if (snapshot) lines.push(...bodyLines(snapshot, width, o.rows, statusLines, showHelp));
  else if (showHelp) lines.push(...helpLines().slice(0, Math.max(0, o.rows - 3 - statusLines)));
  lines.push(keyBarLine(snapshot, quitRequested, showHelp));
  return lines;
}

/** The screen as one string: its lines styled and clipped to the width, joined by newlines. */
export function screenText(state: UiData, o: ScreenOptions, styles: Styles): string {
  const width = Math.max(1, o.columns);
  return screenLines(state, o)
    .map((segs) => lineText(segs, width, styles))
    .join('\n');
}
