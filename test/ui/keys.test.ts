import { describe, expect, test } from 'bun:test';
import type { Snapshot } from '../../src/engine/types.ts';
import { handleKey, type PendingIntent } from '../../src/ui/keys.ts';
import { createUiStore } from '../../src/ui/store.ts';
import { makeControl, makeSnapshot } from './fixtures.ts';

/** A control whose snapshot() reflects pause/resume/setProcesses at once, as the engine's does. */
function engineLike() {
  let state: Partial<Snapshot> = { paused: false, processes: 4 };
  const control = makeControl(() => makeSnapshot(state));
  const { pause, resume, setProcesses } = control;
  control.pause = () => {
    pause();
    state = { ...state, paused: true };
  };
  control.resume = () => {
    resume();
    state = { ...state, paused: false };
  };
  control.setProcesses = (n) => {
    setProcesses(n);
    state = { ...state, processes: n };
  };
  return control;
}

describe('handleKey', () => {
  test('a key that acts on the engine publishes its effect at once, not a snapshot interval later', () => {
    const control = engineLike();
    const store = createUiStore({ snapshot: control.snapshot() });
    const pending: PendingIntent = { basis: null };
    handleKey('p', {}, { control, store, pending });
    expect(store.getState().snapshot?.paused).toBe(true);
    handleKey('+', {}, { control, store, pending });
    expect(store.getState().snapshot?.processes).toBe(5);
    handleKey('p', {}, { control, store, pending });
    expect(store.getState().snapshot?.paused).toBe(false);
    expect(control.names()).toEqual(['pause', 'setProcesses', 'resume']);
  });

  test('keys that only change the screen do not ask the engine for a snapshot', () => {
    const control = engineLike();
    const store = createUiStore({ snapshot: control.snapshot() });
    const before = control.calls.length;
    handleKey('?', {}, { control, store, pending: { basis: null } });
    handleKey('', { escape: true }, { control, store, pending: { basis: null } });
    handleKey('x', {}, { control, store, pending: { basis: null } });
    expect(control.calls.length).toBe(before);
  });

  test('a throwing snapshot() after a key keeps the last good one', () => {
    const first = makeSnapshot();
    const store = createUiStore({ snapshot: first });
    const control = makeControl(() => {
      throw new Error('boom');
    });
    handleKey('r', {}, { control, store, pending: { basis: null } });
    expect(control.names()).toEqual(['retryFailed']);
    expect(store.getState().snapshot).toBe(first);
  });
});
