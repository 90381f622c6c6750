// `rsync --version` is a process start (~5 ms) at the head of every run: a few percent of a
// no-op re-run. Its text is kept in the state root, keyed by the rsync binary's identity (the
// path it resolves to, its device, inode, size, mtime and ctime in ns), so an rsync that is
// upgraded, replaced or rebuilt is a new key and is asked again. The text of a new key is written
// only once the run's checks have all passed (flushRsyncVersion): bad input writes nothing.
import { accessSync, constants, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { stateRoot } from './state.ts';

const FILE = 'rsync-version.json';
/** Binaries remembered at most (one per rsync a user runs: a handful). */
const MAX_KEYS = 8;

/** The path `cmd` runs (PATH lookup for a bare name), or null. */
export function whichBinary(cmd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = cmd.includes('/') ? [resolve(cmd)] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, cmd));
  for (const p of candidates) {
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

/** The identity of the binary `cmd` runs (it follows symlinks), or null when it cannot be had. */
export function binaryKey(cmd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const path = whichBinary(cmd, env);
  if (!path) return null;
  try {
    const s = statSync(path, { bigint: true });
    return [path, s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':');
  } catch {
    return null;
  }
}

function readCache(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    const o = JSON.parse(readFileSync(join(stateRoot(env), FILE), 'utf8'));
    return o && typeof o === 'object' && !Array.isArray(o) ? o : {};
  } catch {
    return {};
  }
}

/** The remembered `--version` text of this binary, or null. */
export function cachedVersion(key: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const text = readCache(env)[key];
  return typeof text === 'string' ? text : null;
}

let pending: { key: string; text: string } | null = null;

/** Remembers a text to write once the run's checks have passed. */
export function noteVersion(key: string, text: string): void {
  pending = { key, text };
}

/** Writes the noted text (atomically; a state root that cannot be written is left alone). */
export function flushRsyncVersion(env: NodeJS.ProcessEnv = process.env): void {
  if (!pending) return;
  const { key, text } = pending;
  pending = null;
  try {
    const root = stateRoot(env);
    const cache = readCache(env);
    delete cache[key];
    const kept = Object.entries(cache).slice(-(MAX_KEYS - 1));
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const tmp = join(root, `${FILE}.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(Object.fromEntries([...kept, [key, text]])));
    renameSync(tmp, join(root, FILE));
  } catch {}
}
