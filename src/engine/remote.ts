// Remote paths as rsync reads them ([user@]host:path, host::module/path, rsync://host/module/path)
// and the one place where a shell string is unavoidable: a command for a remote shell (ssh runs
// `$SHELL -c STRING` on the far side). Every word of such a string goes through shQuote().
import { sourceRoot, type RunConfig } from './config.ts';
import type { SourceRoot } from './types.ts';

/** Characters that never need quoting in a POSIX shell word (kept bare for readable logs). */
const SAFE = /^[A-Za-z0-9_\-+=.,/:@%]+$/;

/**
 * One shell word for a POSIX-like remote shell: the text between single quotes is taken
 * literally (no $, `, \, glob or ~ expansion), and a single quote is written '\''.
 * Newlines and any other byte survive as they are. The empty string becomes ''.
 */
export function shQuote(word: string): string {
  if (SAFE.test(word) && !word.startsWith('=')) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A remote path as a shell word: a leading `~` or `~/` is the remote user's home (as rsync does). */
export function shPath(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${shQuote(path.slice(2))}`;
  return shQuote(path);
}

/** A command line for a remote shell: every word quoted, joined by spaces. */
export function shCommand(argv: string[]): string {
  return argv.map(shQuote).join(' ');
}

export type RemoteSpec =
  | { kind: 'ssh'; host: string; path: string }
  | { kind: 'daemon'; host: string; module: string; path: string; port?: number; url: boolean };

/**
 * rsync's reading of a path argument: `rsync://[user@]host[:port]/module/path` and
 * `[user@]host::module/path` are daemon paths, `[user@]host:path` (a colon before any slash) an
 * ssh path; anything else is local (null). `[addr]:path` takes an IPv6 address.
 */
export function parseRemote(arg: string): RemoteSpec | null {
  const url = /^rsync:\/\/([^/]*)\/?([^/]*)\/?(.*)$/s.exec(arg);
  if (url) {
    const m = /^((?:[^@]*@)?(?:\[[^\]]*\]|[^:]*))(?::(\d+))?$/.exec(url[1]);
    const host = m ? m[1] : url[1];
    return { kind: 'daemon', host, module: url[2], path: url[3], port: m?.[2] ? Number(m[2]) : undefined, url: true };
  }
  let hostEnd: number;
  if (arg.startsWith('[') || /^[^/]*@\[/.test(arg)) {
    const close = arg.indexOf(']');
    if (close < 0 || arg[close + 1] !== ':') return null;
    hostEnd = close + 1;
  } else {
    hostEnd = arg.indexOf(':');
    const slash = arg.indexOf('/');
    if (hostEnd < 0 || (slash >= 0 && slash < hostEnd)) return null;
  }
  const host = arg.slice(0, hostEnd);
  if (arg[hostEnd + 1] === ':') {
    const rest = arg.slice(hostEnd + 2);
    const slash = rest.indexOf('/');
    return { kind: 'daemon', host, module: slash < 0 ? rest : rest.slice(0, slash), path: slash < 0 ? '' : rest.slice(slash + 1), url: false };
  }
  return { kind: 'ssh', host, path: arg.slice(hostEnd + 1) };
}

/** Buckets run over ssh: a SRC or DST `host:path` (not an rsync daemon), or worker hosts. */
export function overSsh(cfg: Pick<RunConfig, 'sources' | 'destination' | 'workers'>): boolean {
  const ssh = (p: string) => parseRemote(p)?.kind === 'ssh';
  return !!cfg.workers?.length || ssh(cfg.destination) || cfg.sources.some((s) => ssh(s.arg));
}

/** The host as ssh is given it (brackets of an IPv6 address removed). */
export function sshHost(host: string): string {
  return host.replace(/^(.*@)?\[(.*)\]$/, '$1$2');
}

/** Why a host name is unusable (it would be read as an ssh option, or is empty), else null. */
export function badHost(host: string): string | null {
  if (!host) return 'empty host name';
  if (host.startsWith('-')) return `host name '${host}' starts with '-'`;
  if (/[\s\0]/.test(host)) return `host name '${host}' contains white space`;
  if (host.endsWith('@') || host.startsWith('@')) return `host name '${host}' has no user or no host`;
  return null;
}

/**
 * sourceRoot() for `[user@]host:path`: the trailing-slash rule applies to the path part, and an
 * empty path is the remote home directory's contents (as `rsync host: dst`).
 */
export function remoteSourceRoot(arg: string): SourceRoot {
  const spec = parseRemote(arg);
  if (!spec) return sourceRoot(arg);
  const head = arg.slice(0, arg.length - spec.path.length);
  const local = sourceRoot(spec.path === '' ? '.' : spec.path);
  return { arg, base: head + local.base, prefix: local.prefix };
}

/** The path part of a remote base or argument (after `host:`), '' when it is not an ssh path. */
export function remotePath(arg: string): string {
  const spec = parseRemote(arg);
  return spec?.kind === 'ssh' ? spec.path : '';
}
