import { describe, expect, test } from 'bun:test';
import { EventEmitter } from 'node:events';
import { renderTui, startPublisher } from '../../src/ui/render-tui.tsx';
import { createUiStore } from '../../src/ui/store.ts';
import { makeControl, makeSnapshot, waitFor } from './fixtures.ts';

/** A terminal-like stdout: 80x24, TTY, collects what Ink writes. */
class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  output = '';
  write = (chunk: string | Uint8Array, cb?: unknown) => {
    this.output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (typeof cb === 'function') (cb as () => void)();
    return true;
  };
}

/** A raw-mode-capable stdin fed by write(). */
class FakeStdin extends EventEmitter {
  isTTY = true;
  rawMode = false;
  private chunks: string[] = [];
  write(data: string) {
    this.chunks.push(data);
    this.emit('readable');
  }
  read = () => this.chunks.shift() ?? null;
  setRawMode(on: boolean) {
    this.rawMode = on;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

describe('renderTui', () => {
  test('renders the app, delivers Ctrl-C as a key (cancel), and unmounts cleanly', async () => {
    const store = createUiStore({ snapshot: makeSnapshot() });
    const control = makeControl();
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    const tui = renderTui({
      control,
      store,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
    });
    await waitFor(() => stdin.listenerCount('readable') > 0 && stdin.rawMode, 'raw-mode input');
    stdin.write('\x03');
    expect(control.names()).toEqual(['cancel']);
    stdin.write('+');
    expect(control.commands().at(-1)).toEqual(['setProcesses', 5]);
    const exited = tui.waitUntilExit();
    tui.unmount();
    await exited;
    expect(stdout.output).toContain('buckets');
    expect(stdout.output).toContain('12.3 MiB/s');
    expect(stdin.rawMode).toBe(false); // terminal handed back
  });
});

describe('startPublisher', () => {
  test('publishes control.snapshot() at once and on every tick until stopped', async () => {
    const store = createUiStore();
    let n = 0;
    const control = makeControl(() => makeSnapshot({ processes: ++n }));
    const stop = startPublisher(control, store, 5);
    expect(store.getState().snapshot?.processes).toBe(1); // immediately, no blank first frame
    await waitFor(() => (store.getState().snapshot?.processes ?? 0) >= 3, 'three snapshots');
    stop();
    const calls = n;
    const deadline = Date.now() + 30;
    while (Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(n).toBe(calls);
  });

  test('a throwing snapshot() keeps the last good one', async () => {
    const store = createUiStore();
    let n = 0;
    const control = makeControl(() => {
      n++;
      if (n === 2) throw new Error('boom');
      return makeSnapshot({ processes: n });
    });
    const stop = startPublisher(control, store, 5);
    await waitFor(() => n >= 3, 'three calls');
    stop();
    expect(store.getState().snapshot?.processes).toBeGreaterThanOrEqual(1);
    expect(store.getState().snapshot?.processes).not.toBe(2);
  });
});
