// The main command: pre-flight, then the engine under the TUI (terminal) or headless.
import { Engine } from '../engine/engine.ts';
import { checkDestination, checkRsync, checkSources, probeOptions } from '../engine/preflight.ts';
import { prepareRemote } from '../engine/remote-preflight.ts';
import { destCheckPolicy } from '../engine/dest-check.ts';
import { isRemote } from '../engine/config.ts';
import { flushRsyncVersion } from '../engine/rsync-version-cache.ts';
import { prepareShared } from '../engine/shared-command.ts';
import type { ParsedArgs } from './parse-args.ts';
import { runHeadless } from './headless.ts';
import { runConfig } from './run-options.ts';
import { checkStateOwner } from '../engine/state.ts';
import { interrupted } from '../engine/resume.ts';
import pkg from '../../package.json' with { type: 'json' };

const VERSION: string = pkg.version;

export interface SyncIO {
  isTTY: boolean;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export async function syncCommand(args: ParsedArgs, io: SyncIO): Promise<number> {
  const cfg = runConfig(args);
  const rsyncVersion = checkRsync(cfg.rsyncPath);
  checkSources(cfg.sources);
  // remote SRC/DST and worker hosts: reached (and their paths checked) before anything is written
  const remote = await prepareRemote(cfg, rsyncVersion);
  let createDestination = false;
  try {
    // with --files-from only listed names are copied: DST may well live below SRC (as with rsync)
    if (remote.localDestination) createDestination = checkDestination(cfg.destination, cfg.filesFrom ? [] : cfg.sources);
    // multisync's own default options need no probe (a whole local rsync run, ~40 ms)
    if (args.values.rsync !== undefined) probeOptions(cfg.rsyncPath, cfg.rsyncOpts);
    checkStateOwner(cfg);
    // --shared: the plan's command must match, and DST may be created by several hosts at once
    if (cfg.shared) createDestination = prepareShared(cfg, createDestination);
    // (a remote DST is checked, and made when missing, in one round trip now that all else passed)
    // (an ssh DST the destination check will look at is listed in the same round trip, and so is
    // one a crashed run may have left rsync temp files in: resume.ts removes them)
    const resumed = isRemote(cfg.destination) && interrupted(cfg);
    const listing = await remote.finishDestination(!cfg.dryRun, resumed || (isRemote(cfg.destination) && !!destCheckPolicy(cfg)));
    // (the listing arrives while SRC is crawled; a resumed run's clean-up needs it at the start)
    if (listing && resumed) cfg.destIndex = await listing.index;
    else if (listing) cfg.destListing = listing.index;
    // every check passed: rsync's --version text may be kept for the next run
    flushRsyncVersion();
  } catch (err) {
    remote.close();
    throw err;
  }

  const engine = new Engine(cfg);
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) {
      engine.killAllSync();
      process.exit(130);
    }
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const onExit = () => {
    engine.killAllSync();
    remote.close();
  };
  process.on('exit', onExit);
  try {
    const run = () => engine.run({ signal: abort.signal, createDestination, version: VERSION });
    const json = !!args.flags.json;
    const useTui = io.isTTY && !json && !args.flags.headless;
    if (useTui) {
      cfg.holdOnFailure = true;
      const { runTui } = await import('./tui.ts');
      const sum = await runTui(engine, run, { dryRun: cfg.dryRun });
      return sum.exitCode;
    }
    const sum = await runHeadless(
      engine,
      { json, progress: !!args.flags.progress, stats: !!args.flags.stats, show: !!args.flags.show, out: io.out, err: io.err },
      run,
    );
    return sum.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('exit', onExit);
    remote.close();
  }
}
