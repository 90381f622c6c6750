// Interactive consumer: placeholder until the Ink TUI lands — runs headless with progress.
import type { Engine } from '../engine/engine.ts';
import type { Summary } from '../engine/summary.ts';
import { runHeadless } from './headless.ts';

export async function runTui(engine: Engine, run: () => Promise<Summary>, o: { stats: boolean }): Promise<Summary> {
  return runHeadless(engine, { json: false, progress: true, stats: o.stats, show: false }, run);
}
