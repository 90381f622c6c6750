// Render <App> with ink-testing-library at a chosen terminal size.
import { render } from 'ink-testing-library';
import type { Snapshot } from '../../src/engine/types.ts';
import { App } from '../../src/ui/App.tsx';
import { stringWidth } from '../../src/ui/format.ts';
import { createUiStore, type UiStore } from '../../src/ui/store.ts';
import { makeControl, waitFor, type FakeControl } from './fixtures.ts';

export interface Harness {
  store: UiStore;
  control: FakeControl;
  frame(): string;
  lines(): string[];
  /** Frames Ink has drawn so far (ink-testing-library draws one per React commit). */
  renders(): number;
  /** Resize the fake terminal (emits 'resize' like a real TTY) and wait for a frame drawn for it. */
  resize(columns: number, rows: number): Promise<void>;
  waitForText(text: string): Promise<void>;
  waitForNoText(text: string): Promise<void>;
  /** Send keys once Ink listens on stdin. */
  press(data: string): Promise<void>;
  unmount(): void;
}

export async function renderApp(
  snapshot: Snapshot | null,
  opts: { columns?: number; rows?: number; noColor?: boolean; dryRun?: boolean } = {},
): Promise<Harness> {
  const store = createUiStore(snapshot ? { snapshot } : {});
  const control = makeControl(() => store.getState().snapshot!);
  const ink = render(<App control={control} store={store} noColor={opts.noColor ?? true} dryRun={opts.dryRun} />);
  const frame = () => ink.lastFrame() ?? '';
  const resize = async (columns: number, rows: number) => {
    // ink-testing-library's stdout reports 100 columns and no rows; shadow both.
    Object.defineProperty(ink.stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(ink.stdout, 'rows', { value: rows, configurable: true });
    ink.stdout.emit('resize');
    // A frame for this size fits it, and (with a snapshot) its progress bar
    // line fills the width exactly.
    await waitFor(() => {
      const lines = frame().split('\n');
      return (
        frame() !== '' &&
        lines.length <= rows - 1 &&
        lines.every((l) => stringWidth(l) <= columns) &&
        (store.getState().snapshot === null || lines.some((l) => stringWidth(l) === columns))
      );
    }, `a frame for ${columns}x${rows}:\n${frame()}`);
  };
  const h: Harness = {
    store,
    control,
    frame,
    lines: () => frame().split('\n'),
    renders: () => ink.frames.length,
    resize,
    waitForText: (text) => waitFor(() => frame().includes(text), `frame to contain ${JSON.stringify(text)}:\n${frame()}`),
    waitForNoText: (text) => waitFor(() => !frame().includes(text), `frame to lose ${JSON.stringify(text)}:\n${frame()}`),
    async press(data) {
      await waitFor(() => ink.stdin.listenerCount('readable') > 0, 'Ink to listen on stdin');
      ink.stdin.write(data);
    },
    unmount: () => ink.unmount(),
  };
  await resize(opts.columns ?? 80, opts.rows ?? 24);
  return h;
}
