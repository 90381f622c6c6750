// One shared ssh connection per worker slot. Every bucket's rsync reaches a remote SRC/DST over
// OpenSSH connection sharing (ssh-control.ts), but one connection for all of them would put every
// stream through one TCP connection and one ssh process's cipher: a link that caps each
// connection (long fat WAN paths, per-flow shaping) would then cap the whole run. So slot N's
// buckets share the connection at ControlPath=DIR/%C-N (slot 1 the pre-flight's own, DIR/%C):
// -p connections and handshakes per host, reused by every bucket that slot runs, and closed at
// the end of the run.
import { ConnectGate, upSlots, type StartGate } from './connect-gate.ts';
import { sshHost } from './remote.ts';
import { exitConnections } from './ssh-control.ts';
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

/** Ends the per-slot shared connections to `host` (`ssh -O exit`), all at once. */
export function closeSlotConnections(rsh: string | undefined, dir: string | undefined, host: string, slots: Iterable<number>): Promise<void> {
  const exits: string[][] = [];
  for (const slot of slots) {
    const r = slotRsh(rsh, dir, slot);
    if (r && r !== rsh) exits.push([...splitOptions(r), '-O', 'exit', sshHost(host)]);
  }
  return exitConnections(exits);
}
