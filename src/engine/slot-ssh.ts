// The shared ssh connections the worker slots use. Every bucket's rsync reaches a remote SRC/DST
// over OpenSSH connection sharing (ssh-control.ts), but one connection for all of them would put
// every stream through one TCP connection and one ssh process's cipher: a link that caps each
// connection (long fat WAN paths, per-flow shaping) would then cap the whole run. So slot N's
// buckets share the connection at ControlPath=DIR/%C-N (slot 1 the pre-flight's own, DIR/%C),
// reused by every bucket that slot runs, and closed at the end of the run.
//
// Except on a near link (the pre-flight timed its round trip below NEAR_RTT_MS, link-echo.ts):
// there one TCP connection is not what a stream waits for, while each connection costs a key
// exchange (~0.15 CPU-s and ~0.25 s here with OpenSSH 9's default sntrup761x25519), so slots 1 …
// SHARED_SLOTS all use the pre-flight's connection, and only the slots above it get their own
// (one ssh process's cipher for at most SHARED_SLOTS streams). Measured on 2 cores, 20k small
// files to a loopback sshd, -p 4: 3.6–4.0 s → 2.9–3.3 s, 6.1–7.1 → 4.7–5.7 CPU-s for the box.
import { CONNECTING_MAX, ConnectGate, upSlots, type StartGate } from './connect-gate.ts';
import { sshHost } from './remote.ts';
import { exitConnections } from './ssh-control.ts';
import { splitOptions } from './rsync-args.ts';

const pathOption = (dir: string) => `ControlPath=${dir}/%C`;

/** A round trip (ms) below this is a near link (a LAN, the same host). */
export const NEAR_RTT_MS = 5;
/**
 * Slots that share the pre-flight's connection on a near link. sshd allows MaxSessions (default
 * 10) sessions per connection: these slots' rsyncs, as many more winding down (a slot's next
 * bucket starts before the last one's session closed), and the pre-flight's listing.
 */
export const SHARED_SLOTS = 4;

/** What the pre-flight's round trip (`rttMs`, null or unset: not timed) says of the link: near, far, or not known. */
export function linkOf(rttMs: number | null | undefined): 'near' | 'far' | null {
  return rttMs === null || rttMs === undefined ? null : rttMs < NEAR_RTT_MS ? 'near' : 'far';
}

/** `slot` uses the pre-flight's connection: slot 1 always, slots up to SHARED_SLOTS on a near link (`rttMs`). */
export function sharesConnection(slot: number, rttMs: number | null | undefined): boolean {
  return slot <= 1 || (linkOf(rttMs) === 'near' && slot <= SHARED_SLOTS);
}

/** The remote shell for a bucket in `slot`: the run's rsh, with the slot's own control socket unless it shares (above). */
export function slotRsh(rsh: string | undefined, dir: string | undefined, slot: number | undefined, rttMs?: number | null): string | undefined {
  if (!rsh || !dir || slot === undefined || sharesConnection(slot, rttMs) || !rsh.includes(pathOption(dir))) return rsh;
  return rsh.replace(pathOption(dir), `${pathOption(dir)}-${slot}`);
}

/**
 * The gate on setting slot connections up (connect-gate.ts), when buckets reach a host over them;
 * `rttMs()`: the link's round trip, once known (slots sharing a connection have theirs up).
 */
export function slotGate(rsh: string | undefined, dir: string | undefined, rttMs: () => number | null | undefined = () => null, max = CONNECTING_MAX): StartGate | undefined {
  if (!dir || slotRsh(rsh, dir, 2) === rsh) return undefined;
  return new ConnectGate(() => {
    const up = upSlots(dir);
    for (let slot = 2; slot <= SHARED_SLOTS && sharesConnection(slot, rttMs()); slot++) up.add(slot);
    return up;
  }, max);
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
