// Pre-flight checks of the worker hosts (--workers, remote-preflight.ts): each one answers over
// ssh, has rsync and sees every local SRC, and DST is checked or made from the first one. Also the
// rsync version rule (--protect-args) the local rsync and the workers' are both held to.
import type { RunConfig } from './config.ts';
import { UsageError } from './errors.ts';
import { parseRemote, shCommand, shPath, shQuote, type RemoteSpec } from './remote.ts';
import { firstLine } from './ssh-control.ts';
import { checkDestinationOn, reachError, type Run, type RunAsync } from './ssh-preflight.ts';

/** rsync before 3.2.4 splits remote paths at spaces unless told --protect-args. */
export function needsProtectArgs(version: string): boolean {
  const [a, b, c] = version.split('.').map(Number);
  return a < 3 || (a === 3 && (b < 2 || (b === 2 && c < 4)));
}

/**
 * Every worker answers and has rsync, sees each local SRC, and (the first) sees DST's parent.
 * The workers are asked all at once (`runAsync`), each over its own connection: one after the
 * other, a pre-flight of N hosts took N session starts; a failure is still the first host's in
 * the list.
 */
export async function checkWorkers(run: Run, runAsync: RunAsync, cfg: RunConfig, workers: string[], dstSpec: RemoteSpec | null): Promise<(create: boolean) => undefined> {
  const localSources = cfg.sources.filter((s) => !parseRemote(s.arg)).map((s) => s.base + s.prefix);
  const script = [
    'rsync --version 2>&1 | head -n 1',
    ...localSources.map((p, i) => `[ -e ${shPath(p)} ] || [ -L ${shPath(p)} ] || echo nosrc:${i}`),
  ].join('; ');
  let oldRsync = false;
  const answers = await Promise.all(workers.map((w) => runAsync(w, `sh -c ${shQuote(script)}`)));
  for (const [k, w] of workers.entries()) {
    const r = answers[k];
    if (r.connectionFailed) throw reachError(r, w, 'worker host');
    const lines = r.stdout.split('\n');
    const version = /rsync\s+version\s+v?(\d+\.\d+\.\d+)/.exec(lines[0] ?? '');
    if (!version) throw new UsageError(`rsync not found on worker host ${w}: ${lines[0] || firstLine(r.stderr, `exit ${r.code}`)}`);
    oldRsync ||= needsProtectArgs(version[1]);
    const missing = lines.find((l) => l.startsWith('nosrc:'));
    if (missing) throw new UsageError(`worker host ${w} does not see source ${localSources[Number(missing.slice(6))]} (SRC and DST are paths as the workers see them)`);
  }
  // a worker's rsync before 3.2.4 would split a remote path at its spaces
  if (oldRsync && (dstSpec || cfg.sources.some((s) => parseRemote(s.arg))) && !cfg.rsyncOpts.includes('--protect-args')) cfg.rsyncOpts = [...cfg.rsyncOpts, '--protect-args'];
  if (!dstSpec) return (create) => checkDestinationOn(run, workers[0], cfg.destination, cfg.destination, 'worker host', create);
  // DST is remote from the workers: made by one rsync of an empty directory, run on the first
  // worker, with the remote shell options the buckets' rsyncs get (-r "--rsh=…")
  const reach = cfg.rsyncOpts.filter((o) => /^--(rsh|rsync-path|port|password-file|protect-args|secluded-args)(=|$)/.test(o));
  const script2 = `d=$(mktemp -d) || exit 1; rsync -d ${shCommand([...reach, '--'])} "$d/" ${shQuote(cfg.destination.endsWith('/') ? cfg.destination : `${cfg.destination}/`)}; r=$?; rmdir "$d"; exit $r`;
  return (create) => {
    if (!create) return;
    const r = run(workers[0], `sh -c ${shQuote(script2)}`);
    if (r.code !== 0) throw new UsageError(`cannot create destination ${cfg.destination} from worker host ${workers[0]}: ${firstLine(r.stderr, `exit ${r.code}`)}`);
  };
}
