// Helpers shared by the tests that compare trees for real: the comparison (tree-compare.ts) as
// an assertion, and one plain rsync run as the reference a multisync result must equal.
import { spawnSync } from 'node:child_process';
import { compareTrees, formatDifferences, type CompareOptions } from '../src/engine/tree-compare.ts';

/** Throws, listing the differences, unless trees a and b are the same entry by entry. */
export async function expectSameTrees(a: string, b: string, opts: CompareOptions = {}): Promise<void> {
  const diffs = await compareTrees(a, b, opts);
  if (diffs.length) throw new Error(`trees differ:\n${formatDifferences(diffs)}`);
}

/** Runs one plain rsync (argv, no shell); throws with its stderr when it fails. */
export function rsyncRef(args: string[]): void {
  const r = spawnSync('rsync', args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`rsync ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}
