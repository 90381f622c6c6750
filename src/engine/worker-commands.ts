// What a worker host (workers.ts) is told: the host list from --workers and --workers-file, the
// marker every remote rsync of a run carries, the remote command that signals the rsyncs by that
// marker, and the worker's rsync argv (its list on stdin). Pure.
import { shQuote } from './remote.ts';

/** Parses `--workers a,b` values and a --workers-file's text: one host per item, '#' comments. */
export function parseWorkerList(items: string[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    for (const raw of item.split(/[,\n]/)) {
      const h = raw.replace(/#.*$/, '').trim();
      if (h && !out.includes(h)) out.push(h);
    }
  }
  return out;
}

/** The marker a remote rsync carries, and the pkill pattern that finds it but not itself. */
export function markerOf(runId: string, tag: string): { option: string; pattern: string } {
  const mark = `multisync:${runId}:${tag}:`;
  return { option: `--log-file-format=${mark}`, pattern: `[m]${mark.slice(1).replace(/\./g, '\\.')}` };
}

/**
 * The remote command that sends `sig` to every process whose command line matches `pattern`.
 * TERM and KILL then wait (up to ~5 s) until those processes are gone: a run that ends after
 * stopping its remote rsyncs must not leave one still winding down behind it.
 */
export function remoteKillCommand(sig: 'TERM' | 'KILL' | 'STOP' | 'CONT', pattern: string): string {
  const kill = (s: string) => `pkill -${s} -f ${shQuote(pattern)}`;
  const gone = `i=0; while pgrep -f ${shQuote(pattern)} >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`;
  // a TERM must also reach a paused (stopped) rsync
  if (sig === 'TERM') return `${kill('TERM')}; ${kill('CONT')}; ${gone}; true`;
  if (sig === 'KILL') return `${kill('KILL')}; ${gone}; true`;
  return `${kill(sig)}; true`;
}

/**
 * The argv for the worker's rsync: the local bucket argv with its list read from stdin, the
 * coordinator's own --rsh dropped (the worker reaches a remote DST with its own ssh setup) and
 * the kill marker first.
 */
export function workerRsyncArgs(argv: string[], o: { listFile?: string; dropRsh?: string; marker: string }): string[] {
  // multisync's own --rsh comes after the user's options: only that last one goes
  const drop = o.dropRsh === undefined ? -1 : argv.lastIndexOf(`--rsh=${o.dropRsh}`);
  const out = [o.marker];
  argv.forEach((a, i) => {
    if (o.listFile !== undefined && a === `--files-from=${o.listFile}`) out.push('--files-from=-');
    else if (i !== drop) out.push(a);
  });
  return out;
}
