// The whole screen. Reads the UI state from the store, fits it to the terminal as one text
// (screen.ts) and maps keys to EngineControl calls. The text is what the component subscribes
// to: a snapshot that changes nothing on screen renders nothing.
import { useMemo, useRef } from 'react';
import { Text, useInput } from 'ink';
import type { EngineControl } from '../engine/types.ts';
import { handleKey, type PendingIntent } from './keys.ts';
import { screenText } from './screen.ts';
import { useUiStore, type UiState, type UiStore } from './store.ts';
import { stylesFor } from './theme.ts';
import { useTerminalSize } from './use-terminal-size.ts';

export interface AppProps {
  control: EngineControl;
  store: UiStore;
  /** Force colour off/on; by default NO_COLOR decides. */
  noColor?: boolean;
  /** Show a DRY RUN tag (the Snapshot does not carry it). */
  dryRun?: boolean;
}

export function App({ control, store, noColor, dryRun = false }: AppProps) {
  const { columns, rows } = useTerminalSize();
  const pending = useRef<PendingIntent>({ basis: null });

  // One string per state and size, computed once however often React asks for it.
  const select = useMemo(() => {
    const styles = stylesFor(noColor);
    let last: UiState | null = null;
    let text = '';
    return (state: UiState) => {
      if (state !== last) {
        last = state;
        text = screenText(state, { columns, rows, dryRun }, styles);
      }
      return text;
    };
  }, [columns, rows, dryRun, noColor]);
  const text = useUiStore(store, select);

  useInput((input, key) => {
    handleKey(input, key, { control, store, pending: pending.current });
  });

  // Every line is already clipped to the width; truncation only guards a width the terminal
  // counts differently (wrapping would add a line and scroll the screen).
  return <Text wrap="truncate-end">{text}</Text>;
}
