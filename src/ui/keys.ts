// Key bindings, kept out of the component so they can be read in one place.
// Ink delivers raw-mode keys through useInput; Ctrl-C arrives as input 'c'
// with key.ctrl because renderTui sets exitOnCtrlC: false.
import type { Key } from 'ink';
import type { EngineControl, Snapshot } from '../engine/types.ts';
import { publishSnapshot, type UiStore } from './store.ts';

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

/**
 * Act on one key. A key that asks the engine for something publishes a fresh snapshot at once:
 * its effect (PAUSED, the process count, the quit notice) is on screen with the next frame, not
 * a snapshot interval later.
 */
export function handleKey(input: string, key: Partial<Key>, ctx: KeyContext): void {
  if (engineKey(input, key, ctx)) publishSnapshot(ctx.control, ctx.store);
}

/** Returns true when the key called the engine. */
function engineKey(input: string, key: Partial<Key>, { control, store, pending }: KeyContext): boolean {
  const state = store.getState();
  if (key.ctrl) {
    if (input !== 'c') return false;
    control.cancel();
    return true;
  }
  if (key.meta) return false;
  if (key.escape) {
    state.setShowHelp(false);
    return false;
  }
  const snapshot = state.snapshot;
  switch (input.toLowerCase()) {
    case '?':
      state.toggleHelp();
      return false;
    case 'p': {
      if (!snapshot) return false;
      const { paused } = effective(snapshot, pending);
      if (paused) control.resume();
      else control.pause();
      pending.paused = !paused;
      return true;
    }
    case 'r':
      control.retryFailed();
      return true;
    case '+':
    case '=': {
      if (!snapshot) return false;
      const n = effective(snapshot, pending).processes + 1;
      pending.processes = n;
      control.setProcesses(n);
      return true;
    }
    case '-':
    case '_': {
      if (!snapshot) return false;
      const n = Math.max(1, effective(snapshot, pending).processes - 1);
      pending.processes = n;
      control.setProcesses(n);
      return true;
    }
    case 'q': {
      const presses = state.requestQuit();
      const phase = snapshot?.phase;
      if (presses === 1 && phase !== 'draining' && phase !== 'cancelling') control.drain();
      else control.cancel();
      return true;
    }
  }
  return false;
}
