// A local bucket's rsync is told its checksum (`--checksum-choice=NAME`, NAME the first of this
// rsync's checksum list: what the two ends of a local transfer negotiate, both being this
// rsync). The transfer is the same; but an rsync given a choice checks its digests (OpenSSL's
// included) while it parses its options, before it forks its receiver, where a negotiating one
// does it in both processes after the fork: each receiver then stays ~2.5 MB smaller (libcrypto
// pages it no longer touches), ~10 MB of resident memory at -p 4.
import { spawnSync } from 'node:child_process';

/** Options that make rsync's checksum something else than the local default, or that the pin could upset. */
const LEAVE = /^--(checksum-choice|cc|protocol|write-batch|only-write-batch|read-batch)(=|$)/;

const known = new Map<string, string | null>();

/** The first name of `rsync --version`'s "Checksum list:" (rsync 3.2+), else null. */
export function firstChecksum(versionText: string): string | null {
  const m = /^Checksum list:[ \t]*\r?\n[ \t]*([A-Za-z0-9]+)/m.exec(versionText);
  return m && m[1] !== 'none' ? m[1] : null;
}

/** `rsync --version`'s text, already read by the pre-flight: no second run of it for the pin. */
export function rememberVersion(rsync: string, versionText: string): void {
  if (!known.has(rsync)) known.set(rsync, firstChecksum(versionText));
}

/**
 * The option to add to a local transfer's rsync options (none when the user chose a checksum,
 * a protocol or a batch, when RSYNC_CHECKSUM_LIST steers the negotiation, or when this rsync
 * does not list its checksums). Asks `rsync --version` once per rsync path.
 */
export function checksumPin(rsync: string, opts: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.RSYNC_CHECKSUM_LIST !== undefined || opts.some((o) => LEAVE.test(o))) return [];
  let name = known.get(rsync);
  if (name === undefined) {
    const r = spawnSync(rsync, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    name = r.status === 0 ? firstChecksum(r.stdout ?? '') : null;
    known.set(rsync, name);
  }
  return name ? [`--checksum-choice=${name}`] : [];
}
