import { describe, expect, test } from 'bun:test';
import { createUiStore } from '../../src/ui/store.ts';
import { makeSnapshot } from './fixtures.ts';

describe('createUiStore', () => {
  test('starts empty', () => {
    const s = createUiStore().getState();
    expect(s.snapshot).toBeNull();
    expect(s.showHelp).toBe(false);
    expect(s.quitRequested).toBe(0);
  });

  test('accepts initial data', () => {
    const snapshot = makeSnapshot();
    const s = createUiStore({ snapshot, showHelp: true }).getState();
    expect(s.snapshot).toBe(snapshot);
    expect(s.showHelp).toBe(true);
  });

  test('setSnapshot replaces the object and notifies once per new snapshot', () => {
    const store = createUiStore();
    let notified = 0;
    store.subscribe(() => notified++);
    const a = makeSnapshot();
    store.getState().setSnapshot(a);
    store.getState().setSnapshot(a); // same object: no re-render
    const b = makeSnapshot({ processes: 9 });
    store.getState().setSnapshot(b);
    expect(store.getState().snapshot).toBe(b);
    expect(notified).toBe(2);
  });

  test('help toggles; quit requests count up and reset', () => {
    const store = createUiStore();
    store.getState().toggleHelp();
    expect(store.getState().showHelp).toBe(true);
    store.getState().setShowHelp(false);
    expect(store.getState().showHelp).toBe(false);
    expect(store.getState().requestQuit()).toBe(1);
    expect(store.getState().requestQuit()).toBe(2);
    expect(store.getState().quitRequested).toBe(2);
    store.getState().resetQuit();
    expect(store.getState().quitRequested).toBe(0);
  });
});
