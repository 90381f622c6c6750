// Pre-flight for remote sources, destinations and worker hosts: every host is reached before
// anything is written (exit 2 with one clear line when it cannot be), the remote paths are
// checked the way the local ones are (ssh-preflight.ts, worker-preflight.ts, daemon-preflight.ts),
// and one shared ssh connection per host is opened here and reused by every rsync of the run
// (ssh-control.ts).
import type { RunConfig } from './config.ts';
import { checkDaemon, daemonFinish } from './daemon-preflight.ts';
import { UsageError } from './errors.ts';
import { badHost, parseRemote } from './remote.ts';
import type { DestListing } from './remote-dest.ts';
import { authUser, daemonBlocker } from './daemon-route.ts';
import { RemoteDaemon } from './remote-daemon.ts';
import { fastCipherRsh } from './ssh-cipher.ts';
import { closeControl, isSsh, makeControlDir, rshForRsync, sshArgv, sshAsync, sshSync } from './ssh-control.ts';
import { epochNow } from './link-echo.ts';
import { sessionStartMs } from './session-cost.ts';
import { sshStream, type Linger, type SshStream } from './ssh-stream.ts';
import { checkRemoteDestination, checkRemoteSource, checkRemoteSourceListing, LISTING_BYTES } from './ssh-preflight.ts';
import { earlyListing, listingChecked, SourceListing } from './source-listing.ts';
import { checkWorkers, needsProtectArgs } from './worker-preflight.ts';

export { destinationScript, pathAndParent } from './ssh-preflight.ts';
export { needsProtectArgs } from './worker-preflight.ts';

export interface RemoteSession {
  /** DST is a path of this machine (not remote, and not a path as worker hosts see it). */
  localDestination: boolean;
  /**
   * Checks a remote (or worker-side) DST and, with `create` (never in a dry run), makes a missing
   * one; with `list`, a DST on an ssh host that exists is listed for the destination check in
   * the same command (remote-dest.ts): one round trip for all three. Call after every other
   * check (nothing is written before). Returns, once DST's state is known, the listing still
   * arriving when one was asked for and DST existed (its index: null when it could not be had
   * whole); a DST that did not exist has nothing to list.
   */
  finishDestination(create: boolean, list?: boolean): DestListing | undefined | Promise<DestListing | undefined>;
  /** Ends the shared ssh connections. */
  close(): void;
}

export async function prepareRemote(cfg: RunConfig, rsyncVersion: string, env: NodeJS.ProcessEnv = process.env): Promise<RemoteSession> {
  const workers = cfg.workers ?? [];
  const srcSpecs = cfg.sources.map((s) => parseRemote(s.arg));
  const dstSpec = parseRemote(cfg.destination);
  const sshRemote = srcSpecs.some((s) => s?.kind === 'ssh') || dstSpec?.kind === 'ssh';

  for (const [i, s] of srcSpecs.entries()) {
    if (s?.kind === 'daemon') throw new UsageError(`a daemon source cannot be crawled: '${cfg.sources[i].arg}' (give it as host:path, over ssh)`);
  }
  if (!workers.length && dstSpec && srcSpecs.some(Boolean)) {
    throw new UsageError('SRC and DST cannot both be remote (rsync copies between this machine and one remote); use --workers to run the copies on hosts that see one of them');
  }
  for (const h of [...workers, ...srcSpecs.map((s) => s?.host), dstSpec?.kind === 'ssh' ? dstSpec.host : undefined]) {
    if (h === undefined) continue;
    const bad = badHost(h);
    if (bad) throw new UsageError(bad);
  }
  if (!sshRemote && !workers.length) {
    if (dstSpec?.kind === 'daemon') checkDaemon(cfg, dstSpec);
    return { localDestination: !dstSpec, finishDestination: daemonFinish(cfg, dstSpec), close: () => {} };
  }
  // the data's connections: AES-GCM first where that is the better choice nobody made (ssh-cipher.ts)
  const dataHost = dstSpec?.kind === 'ssh' ? dstSpec.host : srcSpecs.find((s) => s?.kind === 'ssh')?.host;
  const userRsh = dataHost && !workers.length && isSsh(cfg.rsh) ? await fastCipherRsh(cfg.rsh, dataHost, env) : cfg.rsh;

  const controlDir = isSsh(userRsh) && env.MULTISYNC_SSH_CONTROL !== '0' ? makeControlDir() : undefined;
  cfg.sshControlDir = controlDir;
  const contacted = new Set<string>();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const s of streams) s.stop();
    cfg.sourceListing?.stop();
    cfg.sshDaemon?.stop();
    closeControl(userRsh, controlDir, contacted);
  };
  const ssh = sshArgv(userRsh, controlDir);
  const run = (host: string, command: string) => {
    contacted.add(host);
    return sshSync(ssh, host, command);
  };
  const runAsync = (host: string, command: string) => {
    contacted.add(host);
    return sshAsync(ssh, host, command, 30_000);
  };
  const streams: SshStream[] = [];
  /** The far end's daemon for the run's buckets, where it may run (remote-daemon.ts), and the user its rsyncs authenticate as. */
  const newDaemon = (host: string, path: string) => {
    const user = authUser(env);
    if (!controlDir || !user || env.MULTISYNC_SSH_DAEMON === '0' || daemonBlocker(cfg.rsyncOpts) || host.includes(':')) return undefined;
    cfg.sshDaemon = new RemoteDaemon(userRsh ?? 'ssh', ssh, host, path, controlDir, () => cfg.sshRttMs);
    return { daemon: cfg.sshDaemon, user };
  };
  // (a timed command is the data host's: how near it is decides the slots' connections, slot-ssh.ts,
  // and how long its session took to start the buckets' size, session-cost.ts)
  const timing = () => {
    const spawnedAt = epochNow();
    return (ms: number | null, firstAt: number | null) => {
      cfg.sshRttMs = ms;
      cfg.sshSessionMs = sessionStartMs(controlDir, spawnedAt, firstAt);
    };
  };
  const runStream = (host: string, command: string, timed = false, linger?: Linger) => {
    contacted.add(host);
    const s = sshStream(ssh, host, command, LISTING_BYTES, undefined, timed ? timing() : undefined, linger);
    streams.push(s);
    return s;
  };
  try {
    // the rsyncs this machine starts reach SRC or DST with the same shared connections
    if (sshRemote && !workers.length) cfg.rsh = rshForRsync(userRsh, controlDir);
    if (sshRemote && needsProtectArgs(rsyncVersion)) cfg.rsyncOpts = [...cfg.rsyncOpts, '--protect-args'];

    // a pull from one ssh SRC: its buckets through the far end's daemon too (remote-daemon.ts)
    const pullPath = srcSpecs.length === 1 && srcSpecs[0]?.kind === 'ssh' && !workers.length ? parseRemote(cfg.sources[0].base)?.path : undefined;
    const pullDaemon = pullPath !== undefined && !cfg.dryRun ? newDaemon(srcSpecs[0]!.host, pullPath) : undefined;

    // the first remote SRC's listing is started now, its first record the check (source-listing.ts)
    const early = !workers.length && earlyListing(cfg) ? srcSpecs.findIndex((s) => s?.kind === 'ssh') : -1;
    for (const [i, spec] of srcSpecs.entries()) {
      if (spec?.kind !== 'ssh') continue;
      if (i !== early) checkRemoteSource(run, spec, cfg.sources[i]);
      else {
        contacted.add(spec.host);
        // (a pull's daemon starts in the same session, beside the listing: no session of its own)
        const inline = pullDaemon?.daemon.inline('rsync', pullDaemon.user, cfg.rsyncPath);
        cfg.sourceListing = new SourceListing(cfg.sources[i], cfg, listingChecked(cfg), timing(), inline);
        await checkRemoteSourceListing(cfg.sourceListing, spec, cfg.sources[i]);
      }
    }
    if (pullDaemon && early < 0) pullDaemon.daemon.start('rsync', pullDaemon.user, cfg.rsyncPath);

    let finish: RemoteSession['finishDestination'] = () => undefined;
    if (workers.length) finish = await checkWorkers(run, runAsync, cfg, workers, dstSpec);
    else if (dstSpec?.kind === 'ssh') {
      finish = (create, list) => {
        // the buckets' session-free route starts in the same session, once DST is there (remote-daemon.ts)
        const d = create ? newDaemon(dstSpec.host, dstSpec.path) : undefined;
        const inline = d?.daemon.inline('rsync', d.user, cfg.rsyncPath) ?? undefined;
        return checkRemoteDestination(runStream, dstSpec, cfg.destination, create, !!list, inline);
      };
    }
    else finish = daemonFinish(cfg, dstSpec);
    return { localDestination: !dstSpec && !workers.length, finishDestination: finish, close };
  } catch (err) {
    close();
    throw err;
  }
}
