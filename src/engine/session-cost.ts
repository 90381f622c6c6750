// What a session on the ssh host costs to start, and how big buckets over a near link must then
// be. Every bucket's rsync is a session: sshd starts the user's login shell, which reads its rc
// files, and only then rsync. Those rc files are the far end's and can be heavy (pyenv, conda or
// Lmod set-ups on HPC hosts: on this box ~100 processes and ~0.3 CPU-s per session, against
// ~15 ms with a plain one). The pre-flight's timed session (link-echo.ts) shows it: its shell
// printed the first mark this long after its connection's control socket appeared (ssh makes the
// socket once authenticated, then asks for the session).
//
// On a near link (slot-ssh.ts) the buckets' transfers are short, so a start that costs this much
// weighs: no planned bucket then carries less than START_SHARE times its start's worth of files
// (bucket-sizing.ts's floor, at ENTRY_MS per file). Measured on 2 cores, 20k small files to a
// loopback sshd whose login shell runs pyenv's init, -p 4: 9 buckets 2.7–3.0 s, 5 buckets
// 2.4–2.8 s. A plain host's sessions start in ~15 ms: its floor stays at bucket-sizing.ts's.
// Over a far link the transfer is what a bucket waits for, and fewer buckets made the tail
// longer (the WAN bench row: 12 buckets 7.8–8.8 s, 18 buckets 7.7–8.3 s): nothing changes there.
import { statSync } from 'node:fs';
import { MIN_PIECE_ENTRIES } from './bucket-sizing.ts';
import { linkOf } from './slot-ssh.ts';
import { controlSocket } from './ssh-control.ts';

/** What rsync spends per small file over ssh (ms), for turning a start's time into files. */
export const ENTRY_MS = 0.1;
/** A bucket carries at least this many times its start's worth of files. */
export const START_SHARE = 3;
/** …but the floor never goes above this many entries. */
export const MAX_PIECE_ENTRIES = 10_000;

/**
 * How long the pre-flight's session took to start (ms): from its connection's control socket
 * (a file in `dir` named by ssh's %C hash, without a `-N` slot suffix) to the first mark (`firstAt`, epoch ms).
 * Null when not known: no socket there (the user's own ControlPath), or one older than this
 * session's ssh (`spawnedAt`), or no mark.
 */
export function sessionStartMs(dir: string | undefined, spawnedAt: number, firstAt: number | null): number | null {
  if (!dir || firstAt === null) return null;
  const socket = controlSocket(dir);
  if (!socket) return null;
  let made: number;
  try {
    made = statSync(socket).ctimeMs;
  } catch {
    return null;
  }
  if (made < spawnedAt || made > firstAt) return null;
  return firstAt - made;
}

/** The floor (entries) of buckets over a link of `rttMs` whose sessions start in `sessionMs`; undefined: bucket-sizing.ts's own. */
export function sessionPieceEntries(rttMs: number | null | undefined, sessionMs: number | null | undefined): number | undefined {
  if (linkOf(rttMs) !== 'near' || !sessionMs) return undefined;
  const entries = Math.round((START_SHARE * sessionMs) / ENTRY_MS);
  return entries > MIN_PIECE_ENTRIES ? Math.min(entries, MAX_PIECE_ENTRIES) : undefined;
}
