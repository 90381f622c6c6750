// The options of `multisync plan`: their spec and help text, parsing them into a checked
// PlanOptions (usage errors for anything missing or out of range), and the check that --out
// is a new or empty directory outside SRC.
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { UsageError } from '../engine/errors.ts';
import type { ManifestFormat } from '../engine/manifest-format.ts';
import { realOrResolved } from '../engine/preflight.ts';
import { parsePositiveInt } from '../engine/units.ts';
import { parseArgs, type OptionSpec } from './parse-args.ts';

export const PLAN_OPTIONS: OptionSpec[] = [
  { long: 'buckets', short: 'n', value: 'single', arg: 'N', help: 'how many manifests to write (required)' },
  { long: 'out', short: 'o', value: 'single', arg: 'DIR', help: 'where they go: created if missing, must be empty (required)' },
  { long: 'by', value: 'single', arg: 'size|count', help: 'balance bytes (size) or entries (count) [size]' },
  { long: 'from0', short: '0', help: 'NUL-separated manifests (*.from0): any name works; use rsync --from0' },
  { long: 'robocopy', help: 'Windows paths: backslashes, CRLF line ends' },
  { long: 'exclude', value: 'multi', arg: 'PATTERN', help: 'exclude paths matching PATTERN, as a sync would (repeatable)' },
  { long: 'include', value: 'multi', arg: 'PATTERN', help: 'include paths matching PATTERN (first matching rule wins)' },
  { long: 'exclude-from', value: 'multi', arg: 'FILE', help: 'read exclude patterns from FILE' },
  { long: 'one-file-system', short: 'x', help: 'do not cross filesystem boundaries' },
  { long: 'help', short: 'h', help: 'this help' },
];

const MAX_MANIFESTS = 10_000;

export function planHelp(): string {
  const rows = PLAN_OPTIONS.map((o) => {
    const names = `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.arg ? ` ${o.arg}` : ''}`;
    return `  ${names.padEnd(28)} ${o.help}`;
  });
  return [
    'usage: multisync plan SRC --buckets N --out DIR [--by size|count] [-0 | --robocopy]',
    '',
    'Writes N manifests whose union is exactly what `multisync SRC DST` would copy, balanced',
    'largest-first by bytes (or entries). Paths are relative to SRC as rsync reads it: with',
    'SRC/ relative to SRC, with SRC they start with its name (pass its parent to rsync).',
    'Each machine then runs one: rsync -aH --files-from=MANIFEST BASE DST, or',
    'multisync --files-from MANIFEST BASE DST (add --from0 for -0 manifests).',
    '',
    'options:',
    ...rows,
  ].join('\n');
}

export interface PlanOptions {
  src: string;
  count: number;
  out: string;
  by: 'size' | 'count';
  format: ManifestFormat;
}

export function planOptions(argv: string[]): { opts: PlanOptions; args: ReturnType<typeof parseArgs> } | null {
  // argv starts with the command word, so a SRC named like a command stays a SRC
  const args = parseArgs(argv[0] === 'plan' ? argv : ['plan', ...argv], PLAN_OPTIONS);
  if (args.flags.help) return null;
  const v = args.values;
  if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length ? `plan takes one SRC, got ${args.positionals.length}` : 'plan: missing SRC (see multisync plan --help)');
  }
  const src = args.positionals[0];
  if (!src) throw new UsageError('SRC must not be empty');
  if (v.buckets === undefined) throw new UsageError('plan: --buckets N is required (how many manifests)');
  let count: number;
  try {
    count = parsePositiveInt(v.buckets, 'manifest count (--buckets)');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (count > MAX_MANIFESTS) throw new UsageError(`invalid manifest count (--buckets) '${v.buckets}' (at most ${MAX_MANIFESTS})`);
  if (!v.out) throw new UsageError('plan: --out DIR is required (where the manifests go)');
  const by = v.by ?? 'size';
  if (by !== 'size' && by !== 'count') throw new UsageError(`invalid --by '${v.by}' (expected size or count)`);
  if (args.flags.from0 && args.flags.robocopy) throw new UsageError('--robocopy writes CRLF lines: it cannot be combined with -0/--from0');
  const format: ManifestFormat = args.flags.from0 ? 'nul' : args.flags.robocopy ? 'robocopy' : 'newline';
  return { opts: { src, count, out: v.out, by, format }, args };
}

export function checkOutDir(out: string, src: string): void {
  if (existsSync(out)) {
    let st;
    try {
      st = statSync(out);
    } catch (err) {
      throw new UsageError(`cannot use --out ${out}: ${(err as NodeJS.ErrnoException).code}`);
    }
    if (!st.isDirectory()) throw new UsageError(`--out ${out} exists and is not a directory`);
    if (readdirSync(out).length) throw new UsageError(`--out ${out} is not empty: give a new or empty directory (old manifests would mix with new ones)`);
  }
  try {
    if (!statSync(src).isDirectory()) return;
  } catch {
    return;
  }
  const real = realpathSync(src);
  const target = realOrResolved(out);
  if (target === real || target.startsWith(real === '/' ? '/' : `${real}/`)) {
    throw new UsageError(`--out ${out} is inside SRC: the manifests would become part of the tree`);
  }
}
