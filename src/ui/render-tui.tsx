// Entry points for the CLI: mount the TUI on a terminal, and feed the store
// with engine snapshots on a timer.
import { render } from 'ink';
import type { EngineControl } from '../engine/types.ts';
import { App } from './App.tsx';
import { publishSnapshot, type UiStore } from './store.ts';

export interface RenderTuiOptions {
  control: EngineControl;
  store: UiStore;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Show a DRY RUN tag in the header. */
  dryRun?: boolean;
  /** Force colour off (default: NO_COLOR decides). */
  noColor?: boolean;
}

export interface TuiHandle {
  unmount(): void;
  waitUntilExit(): Promise<void>;
}

/** Redraws per second at most; snapshots arrive 3/s, keys redraw at once within this cap. */
export const TUI_MAX_FPS = 10;

/**
 * How often the engine's snapshot is published. Every frame costs Ink a full layout and redraw
 * of the screen (~10 ms of CPU a frame early in a run, while the runtime still compiles Ink's
 * code: about half of what the TUI adds to a 20k-file cold copy), so 3 a second: rates and
 * counters stay live (the engine samples rates every 250 ms), and a key's effect is published at
 * once anyway.
 */
export const SNAPSHOT_MS = 333;

export function renderTui(opts: RenderTuiOptions): TuiHandle {
  const instance = render(
    <App control={opts.control} store={opts.store} dryRun={opts.dryRun} noColor={opts.noColor} />,
    {
      stdout: opts.stdout ?? process.stdout,
      stdin: opts.stdin ?? process.stdin,
      // Ctrl-C must reach the app as a key so it can cancel the engine cleanly.
      exitOnCtrlC: false,
      // The CLI only starts the TUI on a terminal: stay interactive (keys, redraws) even where a
      // CI variable is set, which ink would otherwise take as "render once, read no keys".
      interactive: (opts.stdout ?? process.stdout).isTTY ? true : undefined,
      patchConsole: false,
      maxFps: TUI_MAX_FPS,
      // Rewrite only changed lines: cheaper over a slow ssh link.
      incrementalRendering: true,
    },
  );
  return {
    unmount: () => instance.unmount(),
    waitUntilExit: async () => {
      await instance.waitUntilExit();
    },
  };
}

/**
 * Publish control.snapshot() into the store now and every `intervalMs` (keys publish at once
 * too, see keys.ts). Returns a function that stops publishing. The timer is unref'd: it never
 * keeps the process alive on its own. A throwing snapshot() is skipped (the last good frame
 * stays on screen) rather than crashing the TUI mid-run.
 */
export function startPublisher(control: EngineControl, store: UiStore, intervalMs = SNAPSHOT_MS): () => void {
  const publish = () => publishSnapshot(control, store);
  publish();
  const timer = setInterval(publish, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
