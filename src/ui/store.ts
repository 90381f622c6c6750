// UI state. The engine never touches React: a publisher (see render-tui.tsx)
// calls control.snapshot() a few times a second and hands the whole object to
// setSnapshot. Snapshots are replaced, never mutated, so selectors compare by
// identity.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { EngineControl, Snapshot } from '../engine/types.ts';

export interface UiState {
  /** Latest engine snapshot; null until the first one is published. */
  snapshot: Snapshot | null;
  showHelp: boolean;
  /** How many times quit (q) was pressed: 1 = draining, 2+ = cancel asked. */
  quitRequested: number;

  setSnapshot(snapshot: Snapshot): void;
  toggleHelp(): void;
  setShowHelp(show: boolean): void;
  /** Count one more quit request and return the new count. */
  requestQuit(): number;
  resetQuit(): void;
}

export type UiStore = StoreApi<UiState>;

export type UiData = Pick<UiState, 'snapshot' | 'showHelp' | 'quitRequested'>;

export function createUiStore(initial: Partial<UiData> = {}): UiStore {
  return createStore<UiState>()((set, get) => ({
    snapshot: initial.snapshot ?? null,
    showHelp: initial.showHelp ?? false,
    quitRequested: initial.quitRequested ?? 0,

    setSnapshot(snapshot) {
      if (get().snapshot !== snapshot) set({ snapshot });
    },
    toggleHelp() {
      set((s) => ({ showHelp: !s.showHelp }));
    },
    setShowHelp(showHelp) {
      if (get().showHelp !== showHelp) set({ showHelp });
    },
    requestQuit() {
      const quitRequested = get().quitRequested + 1;
      set({ quitRequested });
      return quitRequested;
    },
    resetQuit() {
      set({ quitRequested: 0 });
    },
  }));
}

/**
 * Hand control.snapshot() to the store. A throwing snapshot() is skipped (the last good frame
 * stays on screen) rather than crashing the TUI mid-run.
 */
export function publishSnapshot(control: EngineControl, store: UiStore): void {
  let snapshot;
  try {
    snapshot = control.snapshot();
  } catch {
    return;
  }
  store.getState().setSnapshot(snapshot);
}

/** React hook: subscribe a component to a slice of the UI store. */
export function useUiStore<T>(store: UiStore, selector: (state: UiState) => T): T {
  return useStore(store, selector);
}
