// Over a far ssh link (slot-ssh.ts) a bucket's rsync spends its first part waiting: the session
// (channel open, the far end's login shell and its rc files, the far rsync's start) and rsync's
// greeting and file list, a few round trips in all, before a byte of data moves. Measured here
// through the WAN relay (30 ms round trip), an rsync with an empty list over an open connection:
// 0.40–0.66 s. A slot that starts its next bucket only when its rsync is done leaves its
// connection idle that long at every change of bucket. So once a bucket's data is due to end
// within that lead (its remaining bytes at the rate they have come so far), its slot takes the
// next bucket: the new rsync's start overlaps the old one's last bytes, on the same connection.
// The old one winds down as at its end (slots.ts): its outcome still counts when it exits.
import type { RunConfig } from './config.ts';
import { linkOf } from './slot-ssh.ts';

/** Before this long of data (ms) the rate is not trusted. */
export const MIN_SAMPLE_MS = 200;

/** How far ahead of its end a bucket frees its slot (ms): a session's start plus four round trips; null: not over a far link. */
export function startLead(rttMs: number | null | undefined, sessionMs: number | null | undefined): number | null {
  if (linkOf(rttMs) !== 'far' || sessionMs === null || sessionMs === undefined) return null;
  return sessionMs + 4 * rttMs!;
}

/** A run's lead: over ssh from this machine (not --workers) to a host the pre-flight timed as far; else null. */
export function runStartLead(cfg: Pick<RunConfig, 'workers' | 'sshControlDir' | 'sshRttMs' | 'sshSessionMs'>): number | null {
  if (cfg.workers?.length || !cfg.sshControlDir) return null;
  return startLead(cfg.sshRttMs, cfg.sshSessionMs);
}

/** Follows one bucket's bytes: true once they are due to end within `leadMs`. */
export class EndForecast {
  private firstAt: number | null = null;
  private firstBytes = 0;

  constructor(
    private readonly totalBytes: number,
    private readonly leadMs: number,
  ) {}

  /** rsync said `bytes` are done at `now` (ms). */
  dueWithinLead(bytes: number, now: number): boolean {
    if (bytes <= 0) return false;
    if (this.firstAt === null) {
      // (the first bytes' time starts the clock: before them the rsync was starting)
      this.firstAt = now;
      this.firstBytes = bytes;
      return false;
    }
    const ms = now - this.firstAt;
    const moved = bytes - this.firstBytes;
    if (ms < MIN_SAMPLE_MS || moved <= 0) return false;
    const left = this.totalBytes - bytes;
    return (left * ms) / moved < this.leadMs;
  }
}
