// Child process for color.test.ts: prints one frame of <App> so the parent can
// inspect the escape codes under different NO_COLOR / FORCE_COLOR settings.
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.tsx';
import { createUiStore } from '../../src/ui/store.ts';
import { makeControl, makeSnapshot, waitFor } from './fixtures.ts';

const store = createUiStore({ snapshot: makeSnapshot({ paused: true }) });
const ink = render(<App control={makeControl()} store={store} />);
await waitFor(() => (ink.lastFrame() ?? '').includes('PAUSED'), 'first frame');
process.stdout.write(ink.lastFrame() ?? '');
ink.unmount();
process.exit(0);
