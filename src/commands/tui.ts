// Interactive consumer: the Ink TUI reads a zustand store that gets one engine snapshot every
// 333 ms and after each key that acts on the engine (never per child-process event). On exit
// the terminal is restored and the same summary as headless --stats is printed.
import type { Engine } from '../engine/engine.ts';
import type { Summary } from '../engine/summary.ts';
import { failedPathLines, statsBlock } from './report.ts';

export async function runTui(engine: Engine, run: () => Promise<Summary>, o: { dryRun: boolean }): Promise<Summary> {
  // React is loaded from here on, after this: see src/ui/production.ts
  await import('../ui/production.ts');
  const { renderTui, startPublisher } = await import('../ui/render-tui.tsx');
  const { createUiStore } = await import('../ui/store.ts');
  const store = createUiStore();
  const stopPublisher = startPublisher(engine, store);
  const tui = renderTui({ control: engine, store, dryRun: o.dryRun });
  let sum: Summary;
  try {
    sum = await run();
  } finally {
    stopPublisher();
    store.getState().setSnapshot(engine.snapshot());
    tui.unmount();
    await tui.waitUntilExit().catch(() => {});
  }
  process.stdout.write(`${statsBlock(sum)}\n`);
  for (const l of failedPathLines(sum)) process.stderr.write(`${l}\n`);
  if (sum.keptDir) process.stderr.write(`multisync: bucket lists and logs kept in ${sum.keptDir}\n`);
  return sum;
}
