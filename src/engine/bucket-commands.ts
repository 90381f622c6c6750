// The rsync command line of each bucket: the user's options (with the checksum both local ends
// would negotiate, named), the filter rules, the slot's own ssh connection, and the bucket's
// names (as arguments when they fit, else its list). Also what a bucket may name: whole
// directories when rsync recurses, and a named directory's entries when a failing bucket is cut.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { checksumPin } from './checksum-pin.ts';
import { isRemote, type RunConfig } from './config.ts';
import { filterArgs } from './filter.ts';
import { parseRemote } from './remote.ts';
import { bucketArgs, hasFlag, listAsArgs, listPath, recurses } from './rsync-args.ts';
import type { StartGate } from './connect-gate.ts';
import { DaemonGate } from './daemon-gate.ts';
import { viaRoute } from './daemon-route.ts';
import { closeSlotConnections, sharesConnection, slotGate, slotRsh } from './slot-ssh.ts';
import type { Bucket } from './types.ts';

export class BucketCommands {
  /**
   * rsync recurses (-r, -a) and entries need not travel in groups (no -H): buckets may name whole
   * directories, and local names go to rsync as arguments. Not for a user's manifest (rsync
   * --files-from never recurses), nor with -x (a mount point, listed as an entry, must not be
   * recursed into).
   */
  readonly wholeDirs: boolean;
  /** Worker slots whose buckets reached a remote host over their own shared ssh connection. */
  private slotsUsed = new Set<number>();
  /** A local transfer's rsync options (checksum-pin.ts), made at the first local bucket. */
  private localOpts: string[] | null = null;
  /** Over ssh: the shared connections the buckets used, once closeSlotConnections ran. */
  connections = 0;
  /** Over ssh: how many slots set their connection up at once (connect-gate.ts). */
  readonly gate?: StartGate;

  /** `viaWorkers`: buckets run on --workers hosts (their paths are the hosts' own). */
  constructor(
    private cfg: RunConfig,
    private viaWorkers: boolean,
  ) {
    this.wholeDirs = recurses(cfg.rsyncOpts) && !hasFlag(cfg.rsyncOpts, 'H', 'hard-links') && !cfg.filesFrom && !cfg.oneFileSystem;
    if (!viaWorkers) this.gate = slotGate(cfg.rsh, cfg.sshControlDir, () => cfg.sshRttMs);
    // (buckets wait a moment for the far end's daemon rather than pay sessions: remote-daemon.ts)
    if (!viaWorkers && cfg.sshDaemon) this.gate = new DaemonGate(cfg.sshDaemon, this.gate, undefined, cfg.processes);
  }

  /** The argv of a bucket's rsync; `slot` is the worker slot it runs in (1 … -p). */
  argvFor(b: Bucket, slot?: number): string[] {
    const cfg = this.cfg;
    const src = cfg.sources[b.source];
    if (slot !== undefined && cfg.sshControlDir) this.slotsUsed.add(slot);
    // a local source's names go to rsync as arguments when they fit (see BucketArgv.names)
    let names: string[] | null = null;
    if (this.wholeDirs && !this.viaWorkers && !isRemote(src.arg)) {
      try {
        names = listAsArgs(readFileSync(b.listFile), src.base);
      } catch {
        names = null; // rsync reports the missing list
      }
    }
    // both ends local (this machine's rsync on each side): the checksum they would negotiate, named
    const local = !this.viaWorkers && !isRemote(src.arg) && !isRemote(cfg.destination);
    if (local) this.localOpts ??= [...cfg.rsyncOpts, ...checksumPin(cfg.rsyncPath, cfg.rsyncOpts)];
    // a push to, or a pull from, an ssh host: through the far end's daemon once it answers
    // (remote-daemon.ts); a retry goes as a session (whatever failed, a session is the route that
    // does not depend on it)
    const route = this.viaWorkers || b.attempts > 1 ? null : (cfg.sshDaemon?.route(slot) ?? null);
    if (route) this.slotsUsed.add(slot ?? 1);
    const via = route && viaRoute(route, src, cfg.destination);
    return bucketArgs({
      userOpts: via ? [...cfg.rsyncOpts, via.option] : local ? this.localOpts! : cfg.rsyncOpts,
      filters: filterArgs(cfg.filters),
      rsh: via ? via.rsh : slotRsh(cfg.rsh, cfg.sshControlDir, slot, cfg.sshRttMs),
      listFile: b.listFile,
      base: via ? via.base : src.base,
      destination: via ? via.destination : cfg.destination,
      dryRun: cfg.dryRun,
      names: names ?? undefined,
      recursive: this.wholeDirs,
      // (unless the user chose how rsync recurses)
      wholeList: !this.viaWorkers && isRemote(src.arg) && !cfg.rsyncOpts.some((o) => /^--(no-)?(inc-recursive|i-r)$/.test(o)),
    });
  }

  /** A list record that names a local directory: its entries as records (bucket-split.ts), else null. */
  childrenOf(b: Bucket, rec: Buffer): Buffer[] | null {
    const src = this.cfg.sources[b.source];
    if (!this.wholeDirs || isRemote(src.arg)) return null;
    const rel = rec[0] === 0x2e && rec[1] === 0x2f ? rec.subarray(2) : rec;
    try {
      const abs = Buffer.concat([Buffer.from(src.base), rel]);
      if (!lstatSync(abs).isDirectory()) return null;
      const names = (readdirSync(abs, { encoding: 'buffer' }) as Buffer[]).sort(Buffer.compare);
      return names.length ? names.map((n) => listPath(Buffer.concat([rel, Buffer.from('/'), n]))) : null;
    } catch {
      return null;
    }
  }

  /** Ends the per-slot ssh connections (slot-ssh.ts) to the remote SRC or DST. */
  async closeSlotConnections(): Promise<void> {
    this.gate?.close();
    if (!this.slotsUsed.size) return;
    const cfg = this.cfg;
    const spec = [cfg.destination, ...cfg.sources.map((s) => s.arg)].map(parseRemote).find((r) => r?.kind === 'ssh');
    const slots = [...this.slotsUsed];
    this.slotsUsed.clear();
    if (!spec) return;
    if (!this.viaWorkers) this.connections = new Set(slots.map((s) => (sharesConnection(s, cfg.sshRttMs) ? 1 : s))).size;
    await closeSlotConnections(cfg.rsh, cfg.sshControlDir, spec.host, slots);
  }
}
