// Builds rsync argv arrays (house rule 5: never a shell string).

/** Splits an options string like `-a --exclude='*.tmp' "--rsh=ssh -p 22"` into words, honouring quotes. */
export function splitOptions(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in rsync options '${text}'`);
  if (inWord) words.push(cur);
  return words;
}

/** Options multisync owns: a user may not pass them through --rsync. */
const RESERVED = [/^--files-from(=|$)/, /^--from0$/, /^-0$/, /^--include-from(=|$)/];

export function reservedOption(opts: string[]): string | undefined {
  return opts.find((o) => RESERVED.some((r) => r.test(o)));
}

/** True when the options ask for a short flag letter (e.g. 'H' in `-aH`) or its long name. */
export function hasFlag(opts: string[], letter: string, long: string): boolean {
  for (const o of opts) {
    if (o === `--${long}`) return true;
    if (/^-[A-Za-z]+$/.test(o) && o.slice(1).includes(letter)) return true;
  }
  return false;
}

/** rsync reads list lines starting with '#' or ';' as comments, even with --from0: protect them. */
export function listPath(rel: Buffer): Buffer {
  const c = rel[0];
  return c === 0x23 || c === 0x3b ? Buffer.concat([Buffer.from('./'), rel]) : rel;
}

export interface BucketArgv {
  userOpts: string[];
  /** Include/exclude rules in rsync argv form. */
  filters?: string[];
  rsh?: string;
  listFile: string;
  /** Source base directory (ends with '/'). */
  base: string;
  destination: string;
  dryRun?: boolean;
}

/** argv (without the rsync binary) for one bucket. */
export function bucketArgs(b: BucketArgv): string[] {
  const argv = [...b.userOpts, ...(b.filters ?? [])];
  if (b.rsh) argv.push(`--rsh=${b.rsh}`);
  if (b.dryRun) argv.push('--dry-run');
  argv.push(
    '--from0',
    `--files-from=${b.listFile}`,
    '--info=progress2,name1',
    // per-bucket totals (files transferred, bytes sent) for the run's statistics
    '--stats',
    // progress numbers must be plain digits whatever -h the user passed
    '--no-human-readable',
  );
  argv.push(b.base, withSlash(b.destination));
  return argv;
}

export function withSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}
