// `multisync status [--state DIR | SRC... DST]`: a finished or interrupted run's summary, read
// from its journal; with no argument, one line per state directory.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../engine/errors.ts';
import { foldJournal, readJournal, type JournalState } from '../engine/journal.ts';
import { stateRoot, statePaths } from '../engine/state.ts';
import { formatBytes, formatDuration } from '../engine/units.ts';
import type { ParsedArgs } from './parse-args.ts';
import { runConfig } from './run-options.ts';

function runStatus(st: JournalState): string {
  if (!st.runs) return 'no run recorded';
  if (!st.end) return 'interrupted (resume by running the same command again)';
  return st.end.exitCode === 0 ? 'finished ok' : `finished with exit ${st.end.exitCode} (${st.end.status})`;
}

export function describeState(dir: string): string[] {
  const p = statePaths(dir);
  const st = foldJournal(readJournal(p.journal));
  const buckets = [...st.buckets.keys()].filter((id) => !st.split.has(id));
  const files = buckets.reduce((n, id) => n + st.buckets.get(id)!.files, 0);
  const bytes = buckets.reduce((n, id) => n + st.buckets.get(id)!.bytes, 0);
  const pending = buckets.filter((id) => !st.done.has(id) && !st.failed.has(id)).length;
  const lines = [
    `state      ${dir}`,
    `command    ${st.sources.join(' ')} → ${st.destination}`,
    `status     ${runStatus(st)}`,
    `runs       ${st.runs} (the last one ${st.runs > 1 ? 'resumed' : 'started fresh'})`,
    `buckets    ${buckets.length}: ${st.done.size} done, ${st.failed.size} failed, ${pending} not finished`,
    `listed     ${files} entries, ${formatBytes(bytes)}; crawl ${st.crawlDone.size ? 'complete' : 'not complete'}`,
  ];
  if (st.end) lines.push(`last run   ${st.end.files} entries, ${formatBytes(st.end.bytes)} in ${formatDuration(st.end.elapsedMs)}, ${st.end.skippedBuckets} buckets skipped`);
  if (existsSync(p.failedText)) {
    const failed = readFileSync(p.failedText, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).length;
    lines.push(`failed     ${failed} paths: ${p.failedText} (run again with --retry-failed)`);
  }
  return lines;
}

export function statusCommand(args: ParsedArgs, out: (l: string) => void = (l) => process.stdout.write(`${l}\n`)): number {
  let dir: string | undefined = args.values.state;
  if (!dir && args.positionals.length) dir = runConfig(args).stateDir;
  if (dir) {
    if (!existsSync(statePaths(dir).journal)) throw new UsageError(`no multisync run recorded in ${dir}`);
    for (const l of describeState(dir)) out(l);
    return 0;
  }
  const root = args.values.buckets ? join(args.values.buckets, 'multisync') : stateRoot();
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(statePaths(join(root, d)).journal)) : [];
  if (!dirs.length) {
    out(`no multisync runs recorded under ${root}`);
    return 0;
  }
  for (const d of dirs) {
    const st = foldJournal(readJournal(statePaths(join(root, d)).journal));
    out(`${join(root, d)}  ${runStatus(st)}  ${st.sources.join(' ')} → ${st.destination}`);
  }
  return 0;
}
