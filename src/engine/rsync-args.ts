// Builds rsync argv arrays (house rule 5: never a shell string).

/** Splits an options string like `-a --exclude='*.tmp' "--rsh=ssh -p 22"` into words, honouring quotes. */
export function splitOptions(text: string, what = 'rsync options'): string[] {
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
  if (quote) throw new Error(`unterminated ${quote} quote in ${what} '${text}'`);
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

/** True when these options make rsync recurse into a directory named in a --files-from list. */
export function recurses(opts: string[]): boolean {
  let on = false;
  for (const o of opts) {
    if (o === '--no-recursive' || o === '--no-r') on = false;
    else if (o === '--recursive' || o === '--archive' || (/^-[A-Za-z]+$/.test(o) && /[ra]/.test(o.slice(1)))) on = true;
  }
  return on;
}

/** listPath() for a latin1 string. */
export function listName(rel: string): string {
  const c = rel.charCodeAt(0);
  return c === 0x23 || c === 0x3b ? `./${rel}` : rel;
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
  /**
   * The list's names as rsync arguments (`BASE/./NAME` with -R) instead of --files-from: rsync
   * reads a --files-from list one byte per read(2) and re-opens every path component of every
   * name, which made a no-op over listed files 2-3 times slower than the same names as args.
   */
  names?: string[];
  /** The options recurse (-r, -a): also recurse into directories the list names (--files-from turns -a's -r off). */
  recursive?: boolean;
  /**
   * ...and build the whole file list first (--no-inc-recursive): for a remote sender (a pull),
   * whose incremental recursion over a --files-from list took twice the time and CPU (10k files
   * of 1-8 KiB over the loopback sshd: 4.2-4.9 s against 2.1-2.3 s; a push: no different).
   */
  wholeList?: boolean;
}

/** argv (without the rsync binary) for one bucket. */
export function bucketArgs(b: BucketArgv): string[] {
  const argv = [...b.userOpts, ...(b.filters ?? [])];
  if (b.rsh) argv.push(`--rsh=${b.rsh}`);
  if (b.dryRun) argv.push('--dry-run');
  if (b.names) argv.push('--relative');
  else {
    if (b.recursive) argv.push('--recursive');
    if (b.recursive && b.wholeList) argv.push('--no-inc-recursive');
    argv.push('--from0', `--files-from=${b.listFile}`);
  }
  argv.push(
    '--info=progress2,name1',
    // per-bucket totals (files transferred, bytes sent) for the run's statistics
    '--stats',
    // progress numbers must be plain digits whatever -h the user passed
    '--no-human-readable',
  );
  if (b.names) for (const n of b.names) argv.push(`${b.base}./${n}`);
  else argv.push(b.base);
  argv.push(withSlash(b.destination));
  return argv;
}

/** Above this many bytes of names a bucket goes to rsync as a --files-from list (ARG_MAX is 2 MiB with the environment). */
const MAX_ARG_BYTES = 256 * 1024;

/**
 * A bucket list's names for `names` (above), or null when it must stay a --files-from list: too
 * long for a command line, or a name that is not valid UTF-8 (an argv string cannot carry it).
 */
export function listAsArgs(list: Buffer, base: string): string[] | null {
  if (base.includes('/./') || !list.length) return null;
  // one decode for the whole list: NUL is ASCII, so it is valid UTF-8 when every name is
  const text = list.toString('utf8');
  if (!Buffer.from(text).equals(list)) return null;
  const parts = text.split('\0');
  const names: string[] = [];
  for (const p of parts) if (p) names.push(p.charCodeAt(0) === 0x2e && p.charCodeAt(1) === 0x2f ? p.slice(2) : p);
  // bytes on the command line: each name as BASE./NAME plus its NUL
  const total = names.length * (base.length + 3) + list.length - (parts.length - 1);
  if (total > MAX_ARG_BYTES) return null;
  return names.length ? names : null;
}

export function withSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}
