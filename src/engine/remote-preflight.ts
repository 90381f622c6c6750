// Pre-flight for remote sources, destinations and worker hosts: every host is reached before
// anything is written (exit 2 with one clear line when it cannot be), the remote paths are
// checked the way the local ones are, and one shared ssh connection per host is opened here and
// reused by every rsync of the run (ssh-control.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunConfig } from './config.ts';
import { UsageError } from './errors.ts';
import { badHost, parseRemote, shCommand, shPath, shQuote, type RemoteSpec } from './remote.ts';
import { findCommand, findPath } from './remote-crawl.ts';
import { pickFirstError } from './rsync-process.ts';
import { closeControl, firstLine, isSsh, makeControlDir, rshForRsync, sshArgv, sshSync, sshSyncBytes, type SshResult } from './ssh-control.ts';
import { DEST_FORMAT, parseListing, type DestIndex } from './remote-dest.ts';
import { fastCipherRsh } from './ssh-cipher.ts';

export interface RemoteSession {
  /** DST is a path of this machine (not remote, and not a path as worker hosts see it). */
  localDestination: boolean;
  /**
   * Checks a remote (or worker-side) DST and, with `create` (never in a dry run), makes a missing
   * one; with `list`, a DST on an ssh host that exists is listed for the destination check in
   * the same command (remote-dest.ts): one round trip for all three. Call after every other
   * check (nothing is written before). Returns the listing when one was asked for and DST
   * existed (null: it could not be had whole); a DST that did not exist has nothing to list.
   */
  finishDestination(create: boolean, list?: boolean): DestIndex | null | undefined;
  /** Ends the shared ssh connections. */
  close(): void;
}

/** rsync before 3.2.4 splits remote paths at spaces unless told --protect-args. */
export function needsProtectArgs(version: string): boolean {
  const [a, b, c] = version.split('.').map(Number);
  return a < 3 || (a === 3 && (b < 2 || (b === 2 && c < 4)));
}

/** A path without trailing slashes ('/' stays), and its parent directory. */
export function pathAndParent(path: string): { path: string; parent: string } {
  const p = path === '' ? '.' : path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
  const slash = p.lastIndexOf('/');
  const parent = slash < 0 ? '.' : slash === 0 ? '/' : p.slice(0, slash);
  return { path: p, parent };
}

/**
 * Remote shell script: prints dir | notdir | create | noparent for a destination path; with
 * `make`, a missing one (whose parent exists) is made then: created, or mkfail (mkdir's error on
 * stderr); with `list` (a command), an existing one is listed by it after the `dir` line.
 */
export function destinationScript(path: string, make = false, list?: string): string {
  const { path: p, parent } = pathAndParent(path);
  const q = shPath(p);
  const create = make ? `if mkdir -- ${q}; then echo created; else echo mkfail; fi` : 'echo create';
  return `if [ -d ${q} ]; then echo dir;${list ? ` exec ${list};` : ''} elif [ -e ${q} ] || [ -L ${q} ]; then echo notdir; elif [ -d ${shPath(parent)} ]; then ${create}; else echo noparent; fi`;
}

const where = (host: string) => `on ${host}`;

function reachError(r: SshResult, host: string, what = 'host'): UsageError {
  return new UsageError(`cannot reach ${what} ${host} over ssh: ${firstLine(r.stderr, `ssh exit ${r.code}`)}`);
}

export function prepareRemote(cfg: RunConfig, rsyncVersion: string, env: NodeJS.ProcessEnv = process.env): RemoteSession {
  const workers = cfg.workers ?? [];
  const srcSpecs = cfg.sources.map((s) => parseRemote(s.arg));
  const dstSpec = parseRemote(cfg.destination);
  const sshRemote = srcSpecs.some((s) => s?.kind === 'ssh') || dstSpec?.kind === 'ssh';

  for (const [i, s] of srcSpecs.entries()) {
    if (s?.kind === 'daemon') throw new UsageError(`a daemon source cannot be crawled: '${cfg.sources[i].arg}' (give it as host:path, over ssh)`);
  }
  if (!workers.length && dstSpec && srcSpecs.some(Boolean)) {
    throw new UsageError('SRC and DST cannot both be remote (rsync copies between this machine and one remote); use --workers to run the copies on hosts that see one of them');
  }
  for (const h of [...workers, ...srcSpecs.map((s) => s?.host), dstSpec?.kind === 'ssh' ? dstSpec.host : undefined]) {
    if (h === undefined) continue;
    const bad = badHost(h);
    if (bad) throw new UsageError(bad);
  }
  if (!sshRemote && !workers.length) {
    if (dstSpec?.kind === 'daemon') checkDaemon(cfg, dstSpec);
    return { localDestination: !dstSpec, finishDestination: daemonFinish(cfg, dstSpec), close: () => {} };
  }
  // the data's connections: AES-GCM first where that is the better choice nobody made (ssh-cipher.ts)
  const dataHost = dstSpec?.kind === 'ssh' ? dstSpec.host : srcSpecs.find((s) => s?.kind === 'ssh')?.host;
  const userRsh = dataHost && !workers.length && isSsh(cfg.rsh) ? fastCipherRsh(cfg.rsh, dataHost, env) : cfg.rsh;

  const controlDir = isSsh(userRsh) && env.MULTISYNC_SSH_CONTROL !== '0' ? makeControlDir() : undefined;
  cfg.sshControlDir = controlDir;
  const contacted = new Set<string>();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    closeControl(userRsh, controlDir, contacted);
  };
  const ssh = sshArgv(userRsh, controlDir);
  const run = (host: string, command: string) => {
    contacted.add(host);
    return sshSync(ssh, host, command);
  };
  const runBytes = (host: string, command: string) => {
    contacted.add(host);
    return sshSyncBytes(ssh, host, command, LISTING_BYTES);
  };
  try {
    // the rsyncs this machine starts reach SRC or DST with the same shared connections
    if (sshRemote && !workers.length) cfg.rsh = rshForRsync(userRsh, controlDir);
    if (sshRemote && needsProtectArgs(rsyncVersion)) cfg.rsyncOpts = [...cfg.rsyncOpts, '--protect-args'];

    for (const [i, spec] of srcSpecs.entries()) if (spec?.kind === 'ssh') checkRemoteSource(run, spec, cfg.sources[i]);

    let finish: RemoteSession['finishDestination'] = () => undefined;
    if (workers.length) finish = checkWorkers(run, cfg, workers, dstSpec);
    else if (dstSpec?.kind === 'ssh') finish = (create, list) => checkRemoteDestination(run, runBytes, dstSpec, cfg.destination, create, !!list);
    else finish = daemonFinish(cfg, dstSpec);
    return { localDestination: !dstSpec && !workers.length, finishDestination: finish, close };
  } catch (err) {
    close();
    throw err;
  }
}

type Run = (host: string, command: string) => SshResult;
type RunBytes = (host: string, command: string) => ReturnType<typeof sshSyncBytes>;

/** A listing bigger than this is not read (MAX_INDEX entries of ~70 bytes fit). */
const LISTING_BYTES = 64 << 20;

function checkRemoteSource(run: Run, spec: Extract<RemoteSpec, { kind: 'ssh' }>, root: RunConfig['sources'][number]): void {
  const prefixPath = parseRemote(root.base)!.path + root.prefix;
  const start = findPath(prefixPath).replace(/(.)\/+$/, '$1');
  const r = run(spec.host, `env LC_ALL=C find -P ${shPath(start)} -maxdepth 0 -printf %y`);
  if (r.connectionFailed) throw reachError(r, spec.host);
  const err = firstLine(r.stderr, '');
  if (/No such file/.test(err)) throw new UsageError(`source not found: ${root.arg}`);
  if (/unknown predicate|invalid predicate|unknown primary|illegal option|unrecognized|not found/i.test(err)) {
    throw new UsageError(`cannot list ${root.arg}: the find ${where(spec.host)} has no -printf (GNU find is needed): ${err}`);
  }
  if (r.code !== 0 || !r.stdout) throw new UsageError(`cannot read source ${root.arg}: ${err || `exit ${r.code}`}`);
  if (!root.prefix && r.stdout.trim() !== 'd') throw new UsageError(`source with a trailing slash is not a directory: ${root.arg}`);
}

/**
 * A DST on an ssh host: checked, made when missing (`create`) and listed when it exists (`list`),
 * in one command (see finishDestination).
 */
function checkRemoteDestination(run: Run, runBytes: RunBytes, spec: Extract<RemoteSpec, { kind: 'ssh' }>, shown: string, create: boolean, list: boolean): DestIndex | null | undefined {
  if (!list) return checkDestinationOn(run, spec.host, spec.path, shown, 'host', create);
  const r = runBytes(spec.host, `sh -c ${shQuote(destinationScript(spec.path, create, findCommand(spec.path, false, DEST_FORMAT)))}`);
  const nl = r.bytes.indexOf(0x0a);
  const state = r.bytes.subarray(0, nl < 0 ? r.bytes.length : nl).toString('latin1');
  if (state !== 'dir') return destinationState({ ...r, stdout: state }, spec.host, spec.path, shown, 'host', create);
  // the listing: whole (find's exit 0, nothing cut off) or none (rsync then checks as it always does)
  return !r.overflow && r.code === 0 ? parseListing(r.bytes.subarray(nl + 1)) : null;
}

/** Checks a DST path with the destination script and, with `create`, makes a missing one in the same command. */
function checkDestinationOn(run: Run, host: string, path: string, shown: string, what: string, create: boolean): undefined {
  return destinationState(run(host, `sh -c ${shQuote(destinationScript(path, create))}`), host, path, shown, what, create);
}

/** What the destination script answered: nothing when DST is there (or was made with `create`); throws on the rest. */
function destinationState(r: SshResult, host: string, path: string, shown: string, what: string, create: boolean): undefined {
  if (r.connectionFailed) throw reachError(r, host, what);
  const state = r.stdout.trim();
  if (state === 'dir') return;
  if (state === 'notdir') throw new UsageError(`destination exists and is not a directory: ${shown}`);
  if (state === 'noparent') throw new UsageError(`destination's parent directory does not exist ${where(host)}: ${pathAndParent(path).parent}`);
  if (state === 'mkfail') throw new UsageError(`cannot create destination ${shown} ${where(host)}: ${firstLine(r.stderr, `exit ${r.code}`)}`);
  if (state !== (create ? 'created' : 'create')) throw new UsageError(`cannot check destination ${shown} ${where(host)}: ${firstLine(r.stderr, `exit ${r.code}`)}`);
}

/** Every worker answers and has rsync, sees each local SRC, and (the first) sees DST's parent. */
function checkWorkers(run: Run, cfg: RunConfig, workers: string[], dstSpec: RemoteSpec | null): (create: boolean) => undefined {
  const localSources = cfg.sources.filter((s) => !parseRemote(s.arg)).map((s) => s.base + s.prefix);
  const script = [
    'rsync --version 2>&1 | head -n 1',
    ...localSources.map((p, i) => `[ -e ${shPath(p)} ] || [ -L ${shPath(p)} ] || echo nosrc:${i}`),
  ].join('; ');
  let oldRsync = false;
  for (const w of workers) {
    const r = run(w, `sh -c ${shQuote(script)}`);
    if (r.connectionFailed) throw reachError(r, w, 'worker host');
    const lines = r.stdout.split('\n');
    const version = /rsync\s+version\s+v?(\d+\.\d+\.\d+)/.exec(lines[0] ?? '');
    if (!version) throw new UsageError(`rsync not found on worker host ${w}: ${lines[0] || firstLine(r.stderr, `exit ${r.code}`)}`);
    oldRsync ||= needsProtectArgs(version[1]);
    const missing = lines.find((l) => l.startsWith('nosrc:'));
    if (missing) throw new UsageError(`worker host ${w} does not see source ${localSources[Number(missing.slice(6))]} (SRC and DST are paths as the workers see them)`);
  }
  // a worker's rsync before 3.2.4 would split a remote path at its spaces
  if (oldRsync && (dstSpec || cfg.sources.some((s) => parseRemote(s.arg))) && !cfg.rsyncOpts.includes('--protect-args')) cfg.rsyncOpts = [...cfg.rsyncOpts, '--protect-args'];
  if (!dstSpec) return (create) => checkDestinationOn(run, workers[0], cfg.destination, cfg.destination, 'worker host', create);
  // DST is remote from the workers: made by one rsync of an empty directory, run on the first
  // worker, with the remote shell options the buckets' rsyncs get (-r "--rsh=…")
  const reach = cfg.rsyncOpts.filter((o) => /^--(rsh|rsync-path|port|password-file|protect-args|secluded-args)(=|$)/.test(o));
  const script2 = `d=$(mktemp -d) || exit 1; rsync -d ${shCommand([...reach, '--'])} "$d/" ${shQuote(cfg.destination.endsWith('/') ? cfg.destination : `${cfg.destination}/`)}; r=$?; rmdir "$d"; exit $r`;
  return (create) => {
    if (!create) return;
    const r = run(workers[0], `sh -c ${shQuote(script2)}`);
    if (r.code !== 0) throw new UsageError(`cannot create destination ${cfg.destination} from worker host ${workers[0]}: ${firstLine(r.stderr, `exit ${r.code}`)}`);
  };
}

/** A daemon is reached directly, or over a remote shell when -e is given (rsync's rule). */
function daemonArgs(cfg: RunConfig): string[] {
  return cfg.rsh ? [`--rsh=${cfg.rsh}`] : [];
}

/** rsync's most specific error line (not its closing "rsync error: … (code N)" when there is better). */
function rsyncLine(text: string, fallback: string): string {
  const lines = text.split('\n').map((l) => l.trim().replace(/^@ERROR:\s*/, '')).filter(Boolean);
  return pickFirstError(lines.filter((l) => !/^rsync error: /.test(l))) ?? lines[0] ?? fallback;
}

/** The module of a daemon DST must answer: `rsync --list-only host::module/`. */
function checkDaemon(cfg: RunConfig, spec: Extract<RemoteSpec, { kind: 'daemon' }>): void {
  const moduleUrl = spec.url ? `rsync://${spec.host}${spec.port ? `:${spec.port}` : ''}/${spec.module}/` : `${spec.host}::${spec.module}/`;
  if (!spec.module) throw new UsageError(`destination ${cfg.destination} names no rsync daemon module`);
  const r = spawnSync(cfg.rsyncPath, ['--list-only', '--no-motd', ...daemonArgs(cfg), moduleUrl], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  if (r.status === 0) return;
  const line = rsyncLine(r.stderr || r.stdout || '', `exit ${r.status ?? r.signal}`);
  if (/Unknown module/i.test(line)) throw new UsageError(`the rsync daemon on ${spec.host} has no module '${spec.module}': ${line}`);
  throw new UsageError(`cannot reach the rsync daemon on ${spec.host}: ${line}`);
}

/** finishDestination for a daemon DST (made then, unless a dry run) or a local one (nothing to do). */
function daemonFinish(cfg: RunConfig, spec: RemoteSpec | null): RemoteSession['finishDestination'] {
  return (create) => void (create && createDaemonDestination(cfg, spec));
}

/** A daemon DST's last level is made by one rsync of an empty directory (its parent must exist). */
function createDaemonDestination(cfg: RunConfig, spec: RemoteSpec | null): void {
  if (spec?.kind !== 'daemon') return;
  const empty = mkdtempSync(join(tmpdir(), 'multisync-empty-'));
  try {
    const dst = cfg.destination.endsWith('/') ? cfg.destination : `${cfg.destination}/`;
    const r = spawnSync(cfg.rsyncPath, ['-d', '--no-motd', ...daemonArgs(cfg), `${empty}/`, dst], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    if (r.status !== 0) throw new UsageError(`cannot create destination ${cfg.destination}: ${rsyncLine(r.stderr || r.stdout || '', `exit ${r.status}`)}`);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}
