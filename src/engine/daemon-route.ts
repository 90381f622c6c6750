// What the session-free route of a push or pull (remote-daemon.ts) is made of, as pure functions:
// the user rsync authenticates as, the remote path as an absolute one on the far end, the options
// that keep buckets off it, the ports to try, what the far end's script (daemon-script.ts)
// answered, and what a route changes in an rsync's command line.
import { randomInt } from 'node:crypto';
import { isRemote } from './config.ts';

/** The user the local rsync authenticates as (rsync takes $USER, then $LOGNAME, else "nobody"), if usable in the daemon's config. */
export function authUser(env: NodeJS.ProcessEnv = process.env): string | null {
  const u = env.USER || env.LOGNAME || 'nobody';
  return /^[A-Za-z0-9._-]+$/.test(u) ? u : null;
}

/**
 * A remote SRC or DST as an absolute path on the far end: relative paths (and `~`, `~/…`) start
 * in the session's directory, `home`; a trailing slash stays (rsync reads it). Null for a form the
 * daemon path does not take (`~user`).
 */
export function absoluteOnHost(path: string, home: string): string | null {
  const slash = path.endsWith('/') ? '/' : '';
  let rel = path;
  if (path.startsWith('/')) return path;
  if (path.startsWith('~')) {
    if (path !== '~' && !path.startsWith('~/')) return null;
    rel = path.slice(2);
  }
  const h = home.replace(/\/+$/, '');
  const abs = rel === '' || rel === '.' || rel === './' ? h || '/' : `${h}/${rel}`;
  return abs.endsWith('/') ? abs : abs + slash;
}

/** Why a run's options keep its buckets off the daemon path (they name the far end's rsync or the transport), else null. */
export function daemonBlocker(rsyncOpts: string[]): string | null {
  const o = rsyncOpts.find((x) => /^(--(rsync-path|rsh|port|address|sockopts|password-file|blocking-io|early-input|iconv)(=|$)|-e)/.test(x));
  return o ? `rsync option ${o}` : null;
}

/** Ports to try on the far end's loopback (a random few, above the usual services). */
export function pickPorts(n = 5): number[] {
  return Array.from({ length: n }, () => randomInt(20000, 60000));
}

/** The line daemon-script.ts answers with: the port and the session's directory, or null (no daemon). */
export function parseAnswer(line: string): { port: number; home: string } | null {
  const m = /^multisync-daemon: port (\d+) (\/.*)$/.exec(line);
  return m ? { port: Number(m[1]), home: m[2] } : null;
}

const REFUSALS: Record<string, string> = {
  root: 'the far user is not root',
  rsync: 'no rsync on the far host',
  tmp: 'no temporary directory on the far host',
  port: 'no free port on the far host',
};

/** Why the far end said no, in words (its answer's last word, daemon-script.ts). */
export function refusal(line: string): string {
  const m = /^multisync-daemon: no (\w+)$/.exec(line);
  return m ? (REFUSALS[m[1]] ?? m[1]) : 'no answer';
}

export interface DaemonRoute {
  rsh: string;
  /** The run's remote SRC or DST as the daemon serves it (`host::ms/ABS/PATH`). */
  remote: string;
  /** The rsync option that hands the daemon its secret. */
  passwordOption: string;
}

/**
 * What `route` changes in the rsync of a bucket or pass whose source is `src` (its arg and base):
 * the secret's option, the remote shell, and the remote end, SRC of a pull or DST of a push, as
 * the daemon serves it.
 */
export function viaRoute(route: DaemonRoute, src: { arg: string; base: string }, destination: string) {
  const pull = isRemote(src.arg);
  return { option: route.passwordOption, rsh: route.rsh, base: pull ? route.remote : src.base, destination: pull ? destination : route.remote };
}
