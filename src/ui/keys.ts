// Key bindings, kept out of the component so they can be read in one place.
// Ink delivers raw-mode keys through useInput; Ctrl-C arrives as input 'c'
// with key.ctrl because renderTui sets exitOnCtrlC: false.
import type { Key } from 'ink';
import type { EngineControl, Snapshot } from '../engine/types.ts';
import type { UiStore } from './store.ts';

/**
 * What we last asked the engine for, based on which snapshot. Two quick '+'
 * presses land before the next snapshot is published; the second one must
 * build on the first, not on the stale processes count.
 */
export interface PendingIntent {
  basis: Snapshot | null;
  processes?: number;
  paused?: boolean;
}

export interface KeyContext {
  control: EngineControl;
  store: UiStore;
  pending: PendingIntent;
}

function effective(snapshot: Snapshot, pending: PendingIntent): { processes: number; paused: boolean } {
  if (pending.basis !== snapshot) {
    pending.basis = snapshot;
    pending.processes = undefined;
    pending.paused = undefined;
  }
  return {
    processes: pending.processes ?? snapshot.processes,
    paused: pending.paused ?? snapshot.paused,
  };
}

export function handleKey(input: string, key: Partial<Key>, { control, store, pending }: KeyContext): void {
  const state = store.getState();
  if (key.ctrl) {
    if (input === 'c') control.cancel();
    return;
  }
  if (key.meta) return;
  if (key.escape) {
    state.setShowHelp(false);
    return;
  }
  const snapshot = state.snapshot;
  switch (input.toLowerCase()) {
    case '?':
      state.toggleHelp();
      return;
    case 'p': {
      if (!snapshot) return;
      const { paused } = effective(snapshot, pending);
      if (paused) control.resume();
      else control.pause();
      pending.paused = !paused;
      return;
    }
    case 'r':
      control.retryFailed();
      return;
    case '+':
    case '=': {
      if (!snapshot) return;
      const n = effective(snapshot, pending).processes + 1;
      pending.processes = n;
      control.setProcesses(n);
      return;
    }
    case '-':
    case '_': {
      if (!snapshot) return;
      const n = Math.max(1, effective(snapshot, pending).processes - 1);
      pending.processes = n;
      control.setProcesses(n);
      return;
    }
    case 'q': {
      const presses = state.requestQuit();
      const phase = snapshot?.phase;
      if (presses === 1 && phase !== 'draining' && phase !== 'cancelling') control.drain();
      else control.cancel();
      return;
    }
  }
}
