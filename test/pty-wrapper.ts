// Runs argv (no shell) with this terminal as its own, then prints `EXIT=<status>` (128 + the
// signal that ended it, as a shell has it) and stays, so the pane and its last screen remain
// until the tmux server is ended (test/pty-helper.ts).
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';

// a key the terminal turns into a signal is for the command, not for this waiter
for (const sig of ['SIGINT', 'SIGQUIT', 'SIGTSTP'] as const) process.on(sig, () => {});
const [cmd, ...args] = process.argv.slice(2);
const r = spawnSync(cmd, args, { stdio: 'inherit' });
const status = r.status ?? (r.signal ? 128 + (constants.signals[r.signal] ?? 0) : 127);
process.stdout.write(`\nEXIT=${status}\n`);
setInterval(() => {}, 1 << 30);
