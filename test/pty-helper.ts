// Run a command in a real pseudo-terminal (a private tmux server) and read its screen.
// Used to start the TUI from the single binary and under Deno. Waits on conditions only.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './e2e/helpers.ts';

export { waitFor };

export interface PtyRun {
  /** The pane's text, scrollback included. */
  screen(): string;
  /** Resolves with the command's exit status once it has ended. */
  exited(timeoutMs?: number): Promise<number>;
  /** Types keys into the terminal (tmux send-keys names: 'p', 'C-c', 'Enter'). */
  keys(...keys: string[]): void;
  close(): void;
}

/**
 * Starts `argv` (in `cwd`) in a detached tmux session of `cols`×`rows` on a private socket, with
 * no shell between: tmux runs a command of several arguments itself, here pty-wrapper.ts (run by
 * this runtime), which runs `argv`. After the command ends the pane stays and shows
 * `EXIT=<status>`, so the last screen can still be read; close() ends that tmux server, and only that one.
 */
export function startInPty(argv: string[], o: { cwd: string; cols?: number; rows?: number }): PtyRun {
  const socket = `multisync-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const wrapper = [process.execPath, join(import.meta.dir, 'pty-wrapper.ts')];
  const r = tmux('new-session', '-d', '-s', 'run', '-x', String(o.cols ?? 100), '-y', String(o.rows ?? 30), '-c', o.cwd, ...wrapper, ...argv);
  if (r.status !== 0) throw new Error(`tmux new-session failed: ${r.stderr}`);
  const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', 'run').stdout ?? '';
  return {
    screen,
    async exited(timeoutMs = 60_000) {
      let status = -1;
      await waitFor(
        () => {
          const m = /^EXIT=(\d+)\s*$/m.exec(screen());
          if (m) status = Number(m[1]);
          return !!m;
        },
        `the command in the terminal to end (${argv.join(' ')})`,
        timeoutMs,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}; screen:\n${screen()}`);
      });
      return status;
    },
    keys(...keys: string[]) {
      tmux('send-keys', '-t', 'run', ...keys);
    },
    close() {
      tmux('kill-server');
    },
  };
}
