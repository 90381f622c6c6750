// Checks made before anything is written: rsync present and accepting the options, sources
// readable, destination sane and not inside a source. Failures throw UsageError (exit 2).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isRemote } from './config.ts';
import { UsageError } from './errors.ts';
import { bucketArgs } from './rsync-args.ts';
import { rememberVersion } from './checksum-pin.ts';
import { binaryKey, cachedVersion, noteVersion } from './rsync-version-cache.ts';
import type { SourceRoot } from './types.ts';

const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install rsync; RHEL/Fedora: dnf install rsync; macOS: brew install rsync)';

/** Returns rsync's version string, or throws when it is missing or too old for --info=progress2. */
export function checkRsync(rsync: string): string {
  // (the text is remembered per rsync binary: rsync-version-cache.ts)
  const key = binaryKey(rsync);
  const cached = key && cachedVersion(key);
  const r = cached ? { stdout: cached, status: 0, error: undefined } : spawnSync(rsync, ['--version'], { encoding: 'utf8' });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`rsync not found ('${rsync}'): ${INSTALL_HINT}`);
    throw new UsageError(`cannot run rsync ('${rsync}'): ${r.error.message}`);
  }
  const m = /version\s+v?(\d+)\.(\d+)\.(\d+)/.exec(r.stdout ?? '');
  if (m && r.status === 0) {
    rememberVersion(rsync, r.stdout);
    if (key && !cached) noteVersion(key, r.stdout);
  }
  if (!m) throw new UsageError(`'${rsync} --version' did not print an rsync version`);
  const [maj, min] = [Number(m[1]), Number(m[2])];
  if (maj < 3 || (maj === 3 && min < 1)) throw new UsageError(`rsync ${m[0]} is too old: multisync needs rsync 3.1 or newer; ${INSTALL_HINT}`);
  return `${m[1]}.${m[2]}.${m[3]}`;
}

/** Runs the user's options once on an empty local transfer, as msrsync does, so bad OPTS fail early. */
export function probeOptions(rsync: string, opts: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'multisync-probe-'));
  try {
    const argv = bucketArgs({ userOpts: opts, listFile: '/dev/null', base: `${dir}/`, destination: join(dir, 'dst'), dryRun: true });
    const r = spawnSync(rsync, argv, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      const line = (r.stderr || r.stdout || '').split('\n').find((l) => l.trim()) ?? `exit ${r.status}`;
      throw new UsageError(`rsync rejected the options '${opts.join(' ')}': ${line.trim()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** realpath of the longest existing prefix of p, the rest appended as typed. */
export function realOrResolved(p: string): string {
  let cur = resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return resolve(p);
      rest.push(cur.slice(parent.length).replace(/^\//, ''));
      cur = parent;
    }
  }
}

export function checkSources(sources: SourceRoot[]): void {
  for (const s of sources) {
    if (isRemote(s.arg)) continue; // checked over ssh (remote-preflight.ts)
    const path = s.base + s.prefix;
    let st;
    try {
      st = s.prefix ? lstatSync(path) : statSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(code === 'ENOENT' ? `source not found: ${s.arg}` : `cannot read source ${s.arg}: ${code}`);
    }
    if (!s.prefix && !st.isDirectory()) throw new UsageError(`source with a trailing slash is not a directory: ${s.arg}`);
    try {
      accessSync(path, st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
    } catch {
      if (!st.isSymbolicLink()) throw new UsageError(`source is not readable: ${s.arg}`);
    }
  }
}

/** Validates a local destination; returns true when it must be created. */
export function checkDestination(dst: string, sources: SourceRoot[]): boolean {
  if (isRemote(dst)) return false;
  let create = false;
  try {
    if (!statSync(dst).isDirectory()) throw new UsageError(`destination exists and is not a directory: ${dst}`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const parent = dirname(resolve(dst));
    try {
      if (!statSync(parent).isDirectory()) throw new Error();
    } catch {
      throw new UsageError(`destination's parent directory does not exist: ${parent}`);
    }
    create = true;
  }
  const target = realOrResolved(dst);
  for (const s of sources) {
    const src = s.base + s.prefix;
    let real: string;
    try {
      if (!statSync(src).isDirectory()) continue;
      real = realpathSync(src);
    } catch {
      continue;
    }
    const into = s.prefix ? join(target, s.prefix) : target;
    if (into === real || into.startsWith(real === '/' ? '/' : `${real}/`)) {
      throw new UsageError(`destination ${dst} is inside source ${s.arg}: that would copy the copy`);
    }
  }
  return create;
}
