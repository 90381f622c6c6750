// lstat by name from inside the directory: the kernel then looks up one path component per
// entry instead of the whole path (a 200k-entry tree 7 levels down: a 0.44 s crawl took 0.39 s).
// The working directory is the process's, so this is only done on the main thread, inside one
// synchronous read (no other code of ours runs meanwhile, and the reader threads get absolute
// paths), only for an absolute directory (the crawler makes its bases absolute), only for a
// directory with enough entries to pay for the two chdirs, and only in a crawl that asked for it
// (CrawlHooks.insideReads: the run's own paths are absolute, see leave()).
const INSIDE_MIN = 8;
const NON_ASCII = /[^\x00-\x7f]/;
// (the reader threads never load this module: they run their functions' source text, tree-pool.ts)
const ALLOWED = process.env.MULTISYNC_NO_CHDIR !== '1';
/** Reads go inside directories in the crawl under way. */
let active = false;
/** The working directory while a crawl runs (it asked once), else null: ask each time. */
let home: string | null = null;

/**
 * A crawl starts (`inside`: it may read from inside directories): the working directory, or ''
 * when there is none (removed); remembered until crawlDone().
 */
export function crawlStarts(inside: boolean): string {
  try {
    home = process.cwd();
  } catch {
    home = null;
  }
  active = ALLOWED && inside && home !== null;
  return home ?? '';
}

export function crawlDone(): void {
  home = null;
  active = false;
}

/** A path relative to the working directory is in use: this crawl stays outside. */
export function stayOutside(): void {
  active = false;
}

/**
 * Runs `read` (which does `n` lookups of names in `dir`, an absolute latin1 path) from inside
 * `dir` when that pays and is safe: `inside` tells it whether names alone reach the entries.
 */
export function fromInside<T>(dir: string, ascii: boolean, n: number, read: (inside: boolean) => T): T {
  const back = n >= INSIDE_MIN ? enter(dir, ascii) : null;
  try {
    return read(back !== null);
  } finally {
    if (back !== null) leave(back);
  }
}

/** Goes into `dir`; returns where to come back to, or null (not done). */
function enter(dir: string, ascii: boolean): string | null {
  if (!active || !ascii || dir[0] !== '/' || NON_ASCII.test(dir)) return null;
  try {
    const back = home ?? process.cwd();
    process.chdir(dir);
    return back;
  } catch {
    return null;
  }
}

function leave(back: string): void {
  try {
    process.chdir(back);
  } catch {
    // the working directory we came from is gone (the run's own paths are absolute): stay out
    // of the tree at least
    active = false;
    try {
      process.chdir('/');
    } catch {}
  }
}
