// Loaded before every test file (bunfig.toml): runs' state directories (journals, bucket lists)
// go to a temporary state root of this test process, never to the user's ~/.local/state.
// Engines run in-process and CLIs spawned by the tests (tmux included) inherit it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.MULTISYNC_TEST_STATE) {
  const root = mkdtempSync(join(tmpdir(), 'multisync-test-state-'));
  process.env.MULTISYNC_TEST_STATE = root;
  process.env.XDG_STATE_HOME = root;
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
}
