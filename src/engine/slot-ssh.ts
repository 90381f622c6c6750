// One shared ssh connection per worker slot. Every bucket's rsync reaches a remote SRC/DST over
// OpenSSH connection sharing (ssh-control.ts), but one connection for all of them would put every
// stream through one TCP connection and one ssh process's cipher: a link that caps each
// connection (long fat WAN paths, per-flow shaping) would then cap the whole run. So slot N's
// buckets share the connection at ControlPath=DIR/%C-N (slot 1 the pre-flight's own, DIR/%C):
// -p connections and handshakes per host, reused by every bucket that slot runs, and closed at
// the end of the run.
import { spawn } from 'node:child_process';
import { ConnectGate, upSlots, type StartGate } from './connect-gate.ts';
import { sshHost } from './remote.ts';
import { splitOptions } from './rsync-args.ts';

const pathOption = (dir: string) => `ControlPath=${dir}/%C`;

/** The remote shell for a bucket in `slot`: the run's rsh with its own control socket. */
export function slotRsh(rsh: string | undefined, dir: string | undefined, slot: number | undefined): string | undefined {
  if (!rsh || !dir || slot === undefined || slot <= 1 || !rsh.includes(pathOption(dir))) return rsh;
  return rsh.replace(pathOption(dir), `${pathOption(dir)}-${slot}`);
}

/** The gate on setting slot connections up (connect-gate.ts), when buckets reach a host over them. */
export function slotGate(rsh: string | undefined, dir: string | undefined): StartGate | undefined {
  if (!dir || slotRsh(rsh, dir, 2) === rsh) return undefined;
  return new ConnectGate(() => upSlots(dir));
}

/** How long an `ssh -O exit` may take before it is stopped (the master then ends on its own: ControlPersist). */
const EXIT_TIMEOUT_MS = 5000;

/**
 * Ends the per-slot shared connections to `host` (`ssh -O exit`), all at once: one after the
 * other, their starts and round trips held the end of every remote run (~30 ms each, 8 slots).
 */
export function closeSlotConnections(rsh: string | undefined, dir: string | undefined, host: string, slots: Iterable<number>): Promise<void> {
  const exits: Promise<void>[] = [];
  for (const slot of slots) {
    const r = slotRsh(rsh, dir, slot);
    if (!r || r === rsh) continue;
    const words = splitOptions(r);
    exits.push(
      new Promise((resolve) => {
        const child = spawn(words[0], [...words.slice(1), '-O', 'exit', sshHost(host)], { stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        child.on('error', done);
        child.on('close', done);
      }),
    );
  }
  return Promise.all(exits).then(() => undefined);
}
