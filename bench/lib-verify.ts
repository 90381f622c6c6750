// Post-run verification: the destination must be what `rsync -a SRC/ DST/` makes.
// We ask rsync itself: `rsync -a --dry-run --itemize-changes --delete SRC/ DST/`
// prints one line per entry it would still change. Nothing printed == identical
// (by rsync -a's quick check: type, size, mtime, perms, owner, group, link target).
import { capture } from "./lib-util.ts";

export interface Verdict {
  ok: boolean;
  /** `.d..t......` lines for sub-directories: only a directory mtime differs. */
  dirMtimeOnly: number;
  /** The destination root's own mtime differs (`.d..t...... ./`): never fatal, only reported. */
  rootMtime: boolean;
  /** Every other change line (missing/extra/different entries). */
  diffs: number;
  sample: string[];
  error?: string;
}

const TOP_DIR = /^\.d\.\.t\.{6} \.\/$/; // the destination root itself
const DIR_MTIME = /^\.d\.\.t\.{6} /;

export function verifyArgv(src: string, dst: string, checksum: boolean): string[] {
  return ["rsync", "-a", "--dry-run", "--itemize-changes", "--delete", ...(checksum ? ["--checksum"] : []), `${src}/`, `${dst}/`];
}

/**
 * strictDirMtime: when true, sub-directory mtime differences fail the check too
 * (env BENCH_STRICT_DIR_MTIME=1); by default they are only reported, since
 * parallel copiers commonly leave a directory's mtime bumped by a late file.
 */
export function verify(src: string, dst: string, opts: { checksum: boolean; strictDirMtime: boolean }): Verdict {
  const r = capture(verifyArgv(src, dst, opts.checksum));
  if (r.code !== 0) {
    return { ok: false, dirMtimeOnly: 0, rootMtime: false, diffs: 0, sample: [], error: `verify rsync exited ${r.code}: ${r.stderr.trim().slice(0, 300)}` };
  }
  let dirMtimeOnly = 0;
  let rootMtime = false;
  const other: string[] = [];
  for (const line of r.stdout.split("\n")) {
    if (!line) continue;
    if (TOP_DIR.test(line)) rootMtime = true;
    else if (DIR_MTIME.test(line)) dirMtimeOnly++;
    else other.push(line);
  }
  const sample = [...other.slice(0, 5), ...(other.length < 5 && dirMtimeOnly ? ["(dir mtimes) " + dirMtimeOnly] : [])];
  const ok = other.length === 0 && (!opts.strictDirMtime || dirMtimeOnly === 0);
  return { ok, dirMtimeOnly, rootMtime, diffs: other.length, sample };
}

export function describeVerdict(v: Verdict): string {
  if (v.error) return v.error;
  const parts: string[] = [];
  if (v.diffs) parts.push(`${v.diffs} entries differ`);
  if (v.dirMtimeOnly) parts.push(`${v.dirMtimeOnly} dir mtimes differ`);
  if (v.rootMtime) parts.push("root dir mtime differs");
  return parts.length ? parts.join(", ") : "identical";
}
