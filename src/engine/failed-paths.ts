// At the end of a run: exactly which paths failed and why, in the state directory —
// `failed-N.list` per source (NUL-separated, usable with --files-from --from0, and the input of
// --retry-failed) and `failed.txt` for people.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { listRecords } from './bucket-split.ts';
import type { StatePaths } from './state.ts';
import type { Summary } from './summary.ts';

export function writeFailedPaths(paths: StatePaths, sum: Summary, sources: number): void {
  const lists: Buffer[][] = Array.from({ length: sources }, () => []);
  const lines: string[] = [];
  for (const f of sum.failures) {
    let records: Buffer[] = [];
    try {
      records = listRecords(readFileSync(f.listFile));
    } catch {
      /* list gone: the bucket line below still says what failed */
    }
    lines.push(`# bucket ${f.bucket} (source ${f.source}): exit ${f.exitCode ?? 'signal'}: ${f.error}`);
    for (const r of records) {
      lists[f.source]?.push(r, Buffer.from([0]));
      lines.push(JSON.stringify(r.toString('utf8')));
    }
  }
  for (let i = 0; i < sources; i++) {
    if (lists[i].length) writeFileSync(paths.failedList(i), Buffer.concat(lists[i]), { mode: 0o600 });
    else rmSync(paths.failedList(i), { force: true });
  }
  if (lines.length) writeFileSync(paths.failedText, `${lines.join('\n')}\n`, { mode: 0o600 });
  else rmSync(paths.failedText, { force: true });
}
