// Per-slot ssh connections opened ahead of time. Each worker slot has its own shared connection
// (slot-ssh.ts); opened by the slot's first rsync, every slot would pay a whole ssh handshake
// after the pre-flight's own — on a 30 ms link that is ~0.8 s before any data moves. So the
// slots' connections are opened while the pre-flight runs, in the background: `ssh … HOST true`
// leaves its master behind (ControlPersist). BatchMode: never a password prompt from them (a
// slot whose connection could not be opened here opens it itself, as before).
import { spawn, type ChildProcess } from 'node:child_process';
import { sshHost } from './remote.ts';
import { splitOptions } from './rsync-args.ts';
import { slotRsh } from './slot-ssh.ts';

/** At most this many handshakes at once besides the pre-flight's (sshd's MaxStartups starts dropping at 10). */
export const MAX_WARMUPS = 7;

export interface Warmup {
  /** The slots whose connections are being opened (to close at the end). */
  slots: number[];
  /** Settles when every connection is open or failed, or after `waitMs`. */
  ready(waitMs: number): Promise<void>;
  /** Stops the handshakes still under way. */
  cancel(): void;
}

/** The slots to open ahead for `processes` rsyncs: 2..processes (slot 1 is the pre-flight's own connection). */
export function warmupSlots(processes: number): number[] {
  return Array.from({ length: Math.max(0, Math.min(processes, MAX_WARMUPS + 1) - 1) }, (_, i) => i + 2);
}

export function warmSlots(rsh: string, dir: string, host: string, slots: number[]): Warmup {
  const running = new Set<ChildProcess>();
  const done = slots.map((slot) => {
    const words = splitOptions(slotRsh(rsh, dir, slot)!);
    return new Promise<void>((resolve) => {
      const child = spawn(words[0], [...words.slice(1), '-o', 'BatchMode=yes', sshHost(host), 'true'], { stdio: 'ignore' });
      running.add(child);
      const end = () => {
        running.delete(child);
        resolve();
      };
      child.on('error', end);
      child.on('close', end);
    });
  });
  const cancel = () => {
    for (const c of running) c.kill('SIGTERM');
    running.clear();
  };
  return {
    slots,
    cancel,
    ready(waitMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((r) => (timer = setTimeout(r, waitMs)));
      return Promise.race([Promise.all(done).then(() => {}), late]).then(() => {
        clearTimeout(timer);
        cancel();
      });
    },
  };
}
