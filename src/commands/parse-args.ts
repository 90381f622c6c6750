// argv → command + options. Pure: throws UsageError on anything it does not understand.
import { UsageError } from '../engine/errors.ts';

export interface OptionSpec {
  long: string;
  short?: string;
  /** Takes a value; repeatable values are collected into an array. */
  value?: 'single' | 'multi';
  help: string;
  arg?: string;
}

export const OPTIONS: OptionSpec[] = [
  { long: 'processes', short: 'p', value: 'single', arg: 'N', help: 'parallel rsync processes, per worker host with --workers [cores+2, 2..8]' },
  { long: 'files', short: 'f', value: 'single', arg: 'N', help: 'max entries per bucket [1000; 10000 over ssh or with -p 1]' },
  { long: 'size', short: 's', value: 'single', arg: 'SIZE', help: 'max bytes per bucket, K M G T P suffixes, 1024-based [1G]' },
  { long: 'rsync', short: 'r', value: 'single', arg: 'OPTS', help: 'rsync options ["-aS --numeric-ids"]' },
  { long: 'dry-run', short: 'd', help: 'crawl and plan, show what would be done, write nothing in DST' },
  { long: 'progress', short: 'P', help: 'live progress lines on stderr' },
  { long: 'stats', help: 'print a final statistics block' },
  { long: 'json', help: 'one JSON event per line on stdout (implies --headless)' },
  { long: 'headless', help: 'no TUI, even on a terminal' },
  { long: 'buckets', short: 'b', value: 'single', arg: 'DIR', help: 'where state directories (lists, logs, journal) go [$XDG_STATE_HOME/multisync]' },
  { long: 'keep', short: 'k', help: 'keep the bucket lists and logs after the run' },
  { long: 'show', short: 'j', help: 'show the bucket directory (and keep it)' },
  { long: 'exclude', value: 'multi', arg: 'PATTERN', help: 'exclude paths matching PATTERN (rsync filter rules; repeatable)' },
  { long: 'include', value: 'multi', arg: 'PATTERN', help: 'include paths matching PATTERN (first matching rule wins)' },
  { long: 'exclude-from', value: 'multi', arg: 'FILE', help: 'read exclude patterns from FILE (`+ `/`- ` prefixes allowed)' },
  { long: 'one-file-system', short: 'x', help: 'do not cross filesystem boundaries' },
  { long: 'delete', help: 'after every bucket succeeded, delete what DST has and SRC lacks (one pass)' },
  { long: 'no-dest-check', help: 'give rsync every entry, even those a local DST already has as they would end up (see README)' },
  { long: 'files-from', value: 'single', arg: 'FILE', help: 'sync only the entries listed in FILE (one SRC; e.g. a `multisync plan` manifest)' },
  { long: 'from0', short: '0', help: 'the --files-from list is NUL-separated' },
  { long: 'state', value: 'single', arg: 'DIR', help: 'state directory (journal, lists, logs) [derived from the command]' },
  { long: 'state-days', value: 'single', arg: 'N', help: 'prune other commands\' state N days after their last clean run [30; 0 = never]' },
  { long: 'new', help: 'discard the earlier state of this command instead of resuming' },
  { long: 'retry-failed', help: 'run only the paths that failed last time' },
  { long: 'rsh', short: 'e', value: 'single', arg: 'CMD', help: 'remote shell for rsync (as rsync -e), and to reach --workers' },
  { long: 'workers', value: 'multi', arg: 'HOSTS', help: 'run the buckets on these hosts over ssh ([user@]host,…); SRC/DST as they see them' },
  { long: 'workers-file', value: 'multi', arg: 'FILE', help: 'worker hosts, one per line (# comments)' },
  { long: 'shared', value: 'single', arg: 'DIR', help: 'many-to-one: coordinators on several hosts share one plan in DIR (shared storage) and claim buckets' },
  { long: 'retries', value: 'single', arg: 'N', help: 'retries of a bucket after a retryable failure [2]' },
  { long: 'version', short: 'v', help: 'print the version' },
  { long: 'help', short: 'h', help: 'this help' },
];

export const COMMANDS = ['tui', 'demo', 'selftest', 'plan', 'status'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface ParsedArgs {
  command: CommandName;
  flags: Record<string, boolean>;
  values: Record<string, string>;
  lists: Record<string, string[]>;
  /** Every repeatable option in command-line order (filter rules depend on it). */
  ordered: Array<{ name: string; value: string }>;
  positionals: string[];
}

export function parseArgs(argv: string[], specs: OptionSpec[] = OPTIONS): ParsedArgs {
  const out: ParsedArgs = { command: 'tui', flags: {}, values: {}, lists: {}, ordered: [], positionals: [] };
  let i = 0;
  if (argv.length && (COMMANDS as readonly string[]).includes(argv[0])) out.command = argv[i++] as CommandName;
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const set = (spec: OptionSpec, value?: string) => {
    if (!spec.value) out.flags[spec.long] = true;
    else if (spec.value === 'multi') {
      (out.lists[spec.long] ??= []).push(value!);
      out.ordered.push({ name: spec.long, value: value! });
    }
    else out.values[spec.long] = value!;
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown option --${name} (see --help)`);
      if (!spec.value) {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        set(spec);
      } else {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option --${name} needs a value`);
        set(spec, v);
      }
    } else if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const spec = byShort.get(a[k]);
        if (!spec) throw new UsageError(`unknown option -${a[k]} (see --help)`);
        if (!spec.value) {
          set(spec);
          continue;
        }
        const v = k + 1 < a.length ? a.slice(k + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option -${a[k]} needs a value`);
        set(spec, v);
        break;
      }
    } else {
      out.positionals.push(a);
    }
  }
  return out;
}

export function helpText(version: string): string {
  const rows = OPTIONS.map((o) => {
    const names = `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.arg ? ` ${o.arg}` : ''}`;
    return `  ${names.padEnd(28)} ${o.help}`;
  });
  return [
    `multisync ${version}: parallel rsync with a live TUI`,
    '',
    'usage: multisync [tui] [OPTIONS] SRC [SRC...] DST',
    '       multisync [OPTIONS] --files-from FILE [--from0] SRC DST',
    '       multisync plan SRC --buckets N --out DIR [--by size|count] [-0] (see plan --help)',
    '       multisync demo | selftest',
    '',
    'SRC/DST follow rsync: SRC/ copies the contents of SRC, SRC copies SRC itself into DST.',
    'The TUI runs when stdout is a terminal; otherwise (or with --headless/--json) it runs headless.',
    '',
    'options:',
    ...rows,
    '',
    'exit codes: 0 all transferred, 1 some buckets failed (listed on stderr), 2 usage or',
    'pre-flight error (nothing written), 130 interrupted.',
  ].join('\n');
}
