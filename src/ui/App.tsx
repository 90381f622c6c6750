// The whole screen. Reads the latest snapshot from the store, fits it to the
// terminal (80x24 and up, never more than rows - 1 lines) and maps keys to
// EngineControl calls.
import { useRef } from 'react';
import { Box, useInput } from 'ink';
import type { EngineControl, Snapshot } from '../engine/types.ts';
import { Counters } from './Counters.tsx';
import { FailuresPanel } from './FailuresPanel.tsx';
import { formatCount } from './format.ts';
import { Header } from './Header.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { KeyBar } from './KeyBar.tsx';
import { handleKey, type PendingIntent } from './keys.ts';
import { planLayout } from './layout.ts';
import { Line } from './Line.tsx';
import { PausedBanner } from './PausedBanner.tsx';
import { QuitNotice, quitNoticeText } from './QuitNotice.tsx';
import { useUiStore, type UiStore } from './store.ts';
import { ColorContext, colorEnabled } from './theme.ts';
import { useTerminalSize } from './use-terminal-size.ts';
import { WorkerTable } from './WorkerTable.tsx';

export interface AppProps {
  control: EngineControl;
  store: UiStore;
  /** Force colour off/on; by default NO_COLOR decides. */
  noColor?: boolean;
  /** Show a DRY RUN tag (the Snapshot does not carry it). */
  dryRun?: boolean;
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

function Body({ snapshot: s, width, rows, statusLines, showHelp }: {
  snapshot: Snapshot;
  width: number;
  rows: number;
  statusLines: number;
  showHelp: boolean;
}) {
  const plan = planLayout({ rows, workers: s.workers.length, failures: s.failures.length, statusLines });
  if (showHelp) return <HelpOverlay width={width} height={plan.bodyLines} />;
  return (
    <>
      {plan.tableHeader ? (
        <WorkerTable
          workers={s.workers}
          width={width}
          rows={plan.workerRows}
          moreLine={plan.moreLine}
          idleLine={plan.idleLine}
          idleText={idleText(s)}
        />
      ) : null}
      {plan.failureTitle ? <FailuresPanel failures={s.failures} width={width} entries={plan.failureEntries} /> : null}
    </>
  );
}

export function App({ control, store, noColor, dryRun = false }: AppProps) {
  const snapshot = useUiStore(store, (s) => s.snapshot);
  const showHelp = useUiStore(store, (s) => s.showHelp);
  const quitRequested = useUiStore(store, (s) => s.quitRequested);
  const { columns, rows } = useTerminalSize();
  const pending = useRef<PendingIntent>({ basis: null });

  useInput((input, key) => {
    handleKey(input, key, { control, store, pending: pending.current });
  });

  const color = noColor === undefined ? colorEnabled() : !noColor;
  const width = Math.max(1, columns);
  const paused = snapshot?.paused ?? false;
  const hasNotice = quitNoticeText(snapshot?.phase, quitRequested) !== null;
  const statusLines = (paused ? 1 : 0) + (hasNotice ? 1 : 0);

  return (
    <ColorContext.Provider value={color}>
      <Box flexDirection="column" width={width}>
        {snapshot ? (
          <>
            <Header snapshot={snapshot} width={width} dryRun={dryRun} />
            <Counters snapshot={snapshot} width={width} />
          </>
        ) : (
          <Line width={width} segments={[{ text: 'multisync', bold: true }, { text: '  starting…', dim: true }]} />
        )}
        {paused ? <PausedBanner width={width} /> : null}
        <QuitNotice phase={snapshot?.phase} quitRequested={quitRequested} width={width} />
        {snapshot ? (
          <Body snapshot={snapshot} width={width} rows={rows} statusLines={statusLines} showHelp={showHelp} />
        ) : showHelp ? (
          <HelpOverlay width={width} height={Math.max(0, rows - 3 - statusLines)} />
        ) : null}
        <KeyBar snapshot={snapshot} quitRequested={quitRequested} showHelp={showHelp} width={width} />
      </Box>
    </ColorContext.Provider>
  );
}
