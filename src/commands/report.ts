// Text the headless reporter and the TUI both print: progress lines, the --stats block,
// the one-line summary and the list of failed paths.
import { readFileSync } from 'node:fs';
import { listRecords } from '../engine/bucket-split.ts';
import type { Summary } from '../engine/summary.ts';
import type { Snapshot } from '../engine/types.ts';
import { formatBytes, formatDuration, formatRate } from '../engine/units.ts';

/** Makes any path printable on one line: control chars and invalid UTF-8 become escapes. */
export function printable(p: Buffer | string): string {
  const s = typeof p === 'string' ? p : p.toString('utf8');
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\uFFFD' && typeof p !== 'string') out += '\\?';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : `\\x${c.toString(16).padStart(2, '0')}`;
    else if (ch === '\\') out += '\\\\';
    else out += ch;
  }
  return out;
}

export function progressLine(s: Snapshot): string {
  const files = `${s.filesDone}/${s.filesTotal}${s.crawlDone ? '' : '+'}`;
  const bytes = `${formatBytes(s.bytesDone)}/${formatBytes(s.bytesTotal)}${s.crawlDone ? '' : '+'}`;
  const eta = s.etaMs !== null ? ` eta ${formatDuration(s.etaMs)}` : '';
  const b = s.buckets;
  return (
    `[${formatDuration(s.elapsedMs)}] ${files} entries ${bytes} ${formatRate(s.bytesPerSec)}${eta}` +
    ` | queue ${b.queued} running ${b.running} done ${b.done} failed ${b.failed}` +
    `${s.crawlDone ? '' : ' | crawling'}${s.paused ? ' | PAUSED' : ''}`
  );
}

export function summaryLine(sum: Summary): string {
  const rate = sum.elapsedMs > 0 ? (sum.bytes * 1000) / sum.elapsedMs : 0;
  return (
    `multisync: ${sum.status}: ${sum.files} of ${sum.filesTotal} entries, ${formatBytes(sum.bytes)} in ` +
    `${sum.buckets} buckets (${sum.failedBuckets} failed${sum.skippedBuckets ? `, ${sum.skippedBuckets} skipped` : ''}) ` +
    `in ${formatDuration(sum.elapsedMs)}, ${formatRate(rate)}`
  );
}

/** The ssh link a run found and the connections its buckets used (a slow session start is the far end's rc files). */
function sshLine(ssh: NonNullable<Summary['ssh']>): string {
  const ms = (t: number | null) => (t === null ? 'not timed' : `${t < 10 ? t.toFixed(2) : Math.round(t)} ms`);
  const n = ssh.connections;
  const daemon = ssh.daemonBuckets === undefined ? '' : ssh.daemonBuckets ? `, ${ssh.daemonBuckets} bucket${ssh.daemonBuckets === 1 ? '' : 's'} through the far daemon` : `, no far daemon (${ssh.daemonOff ?? 'not started'})`;
  return `round trip ${ms(ssh.rttMs)}, session start ${ms(ssh.sessionMs)}, ${n} connection${n === 1 ? '' : 's'}${daemon}`;
}

/** msrsync's --stats fields. */
export function statsBlock(sum: Summary): string {
  const secs = Math.max(sum.elapsedMs / 1000, 1e-3);
  const mean = (n: number) => (sum.buckets ? n / sum.buckets : 0);
  const rows: Array<[string, string]> = [
    ['Status', sum.status.toUpperCase()],
    ['Exit code', String(sum.exitCode)],
    ['Entries', `${sum.filesTotal} listed, ${sum.files} checked, ${sum.filesUnchanged} already in DST, ${sum.filesTransferred} files transferred`],
    ['Bytes sent', formatBytes(sum.bytesSent)],
    ['Deleted', String(sum.deleted)],
    ['Size', `${formatBytes(sum.bytes)} of ${formatBytes(sum.bytesTotal)}`],
    ['Buckets', `${sum.buckets} (${sum.failedBuckets} failed, ${sum.skippedBuckets} skipped, ${sum.retried} retried)`],
    ['Mean entries per bucket', mean(sum.filesTotal - sum.filesUnchanged).toFixed(1)],
    ['Mean size per bucket', formatBytes(mean(sum.bytesTotal - sum.bytesUnchanged))],
    ['Entries per second', (sum.files / secs).toFixed(1)],
    ['Throughput', formatRate(sum.bytes / secs)],
    ['Crawl time', `${formatDuration(sum.crawlMs)} (${((100 * sum.crawlMs) / Math.max(sum.elapsedMs, 1)).toFixed(1)}% of total)`],
    ['Crawl errors', `${sum.crawlErrors} (${sum.crawlWarnings} vanished)`],
    ['Tail', `${formatDuration(sum.tailMs ?? 0)} (first idle worker to the end)`],
    ...(sum.ssh ? [['SSH', sshLine(sum.ssh)] as [string, string]] : []),
    ['Total time', formatDuration(sum.elapsedMs)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return ['multisync statistics', ...rows.map(([k, v]) => `  ${k.padEnd(w)} : ${v}`)].join('\n');
}

/** Lines naming every path of the failed buckets (capped), for stderr. */
export function failedPathLines(sum: Summary, max = 200): string[] {
  const lines: string[] = [];
  let shown = 0;
  for (const f of sum.failures) {
    lines.push(`multisync: bucket ${f.bucket} failed (exit ${f.exitCode ?? 'signal'}): ${f.error} [log: ${f.logFile}]`);
    let paths: Buffer[] = [];
    try {
      paths = listRecords(readFileSync(f.listFile));
    } catch {
      /* list gone: the bucket line above still says what failed */
    }
    for (const p of paths) {
      // count every path (for the '… N more' line), print only the first `max`
      if (shown++ >= max) continue;
      lines.push(`  in failed bucket: ${printable(p)}`);
    }
  }
  if (shown > max) lines.push(`  … ${shown - max} more: see the lists in ${sum.keptDir ?? 'the bucket directory'}`);
  if (sum.haltReason) lines.push(`multisync: stopped dispatching: ${sum.haltReason}`);
  return lines;
}
