// Pre-flight checks of SRC and DST on an ssh host (remote-preflight.ts): a remote SRC must exist
// and be listable by the host's GNU find; a remote DST is checked by a small shell script, which
// also makes a missing one and lists an existing one for the destination check, in one command.
import type { RunConfig } from './config.ts';
import { UsageError } from './errors.ts';
import { findCommand, findPath } from './find-records.ts';
import { parseRemote, shPath, shQuote, type RemoteSpec } from './remote.ts';
import { DEST_FORMAT, parseListing, type DestListing } from './remote-dest.ts';
import { echoPrefix } from './link-echo.ts';
import { firstLine, type SshResult } from './ssh-control.ts';
import type { SshStream } from './ssh-stream.ts';
import type { SourceListing } from './source-listing.ts';

/** Runs a command on a host over the run's shared ssh connection (see prepareRemote). */
export type Run = (host: string, command: string) => SshResult;
/** The same, not waited for: several hosts at once. */
export type RunAsync = (host: string, command: string) => Promise<SshResult>;
/**
 * The same, for an answer that is a line and then a listing (ssh-stream.ts); `timed`: the
 * command's script starts with link-echo.ts's rounds (the connection's round trip is timed).
 */
export type RunStream = (host: string, command: string, timed?: boolean) => SshStream;

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
 * stderr); with `list` (a command), an existing one is listed by it after the `dir` line. With
 * `echo`, link-echo.ts's rounds come first.
 */
export function destinationScript(path: string, make = false, list?: string, echo = false): string {
  const { path: p, parent } = pathAndParent(path);
  const q = shPath(p);
  const create = make ? `if mkdir -- ${q}; then echo created; else echo mkfail; fi` : 'echo create';
  return `${echo ? echoPrefix() : ''}if [ -d ${q} ]; then echo dir;${list ? ` exec ${list};` : ''} elif [ -e ${q} ] || [ -L ${q} ]; then echo notdir; elif [ -d ${shPath(parent)} ]; then ${create}; else echo noparent; fi`;
}

const where = (host: string) => `on ${host}`;

export function reachError(r: SshResult, host: string, what = 'host'): UsageError {
  return new UsageError(`cannot reach ${what} ${host} over ssh: ${firstLine(r.stderr, `ssh exit ${r.code}`)}`);
}

export function checkRemoteSource(run: Run, spec: Extract<RemoteSpec, { kind: 'ssh' }>, root: RunConfig['sources'][number]): void {
  const prefixPath = parseRemote(root.base)!.path + root.prefix;
  const start = findPath(prefixPath).replace(/(.)\/+$/, '$1');
  sourceVerdict(run(spec.host, `env LC_ALL=C find -P ${shPath(start)} -maxdepth 0 -printf %y`), spec, root);
}

/**
 * The same check from the first record of SRC's listing, started now (source-listing.ts) and
 * left running for the crawl: one remote session instead of two, one after the other.
 */
export async function checkRemoteSourceListing(listing: SourceListing, spec: Extract<RemoteSpec, { kind: 'ssh' }>, root: RunConfig['sources'][number]): Promise<void> {
  const first = await listing.first(30_000);
  if (first !== null && (root.prefix || first === 0x64)) return; // (0x64: 'd', a directory)
  const code = first === null ? await listing.closed : 0;
  listing.stop();
  const stdout = first === null ? '' : String.fromCharCode(first);
  sourceVerdict({ code, stdout, stderr: listing.errors, connectionFailed: code === 255 || code === null }, spec, root);
}

/** Throws the pre-flight's error for what the check of a remote SRC answered (nothing when SRC will do). */
function sourceVerdict(r: SshResult, spec: Extract<RemoteSpec, { kind: 'ssh' }>, root: RunConfig['sources'][number]): void {
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
 * in one command (see RemoteSession.finishDestination), which also times the connection's round
 * trip (link-echo.ts).
 */
export async function checkRemoteDestination(runStream: RunStream, spec: Extract<RemoteSpec, { kind: 'ssh' }>, shown: string, create: boolean, list: boolean): Promise<DestListing | undefined> {
  const script = destinationScript(spec.path, create, list ? findCommand(spec.path, false, DEST_FORMAT) : undefined, true);
  const s = runStream(spec.host, `sh -c ${shQuote(script)}`, true);
  const state = await s.first;
  if (!list || state !== 'dir') return destinationState({ ...(await s.whole), stdout: state }, spec.host, spec.path, shown, 'host', create);
  // the listing, while it comes: whole (find's exit 0, nothing cut off) or none (rsync then checks as it always does)
  const index = s.whole.then((r) => (!r.overflow && r.code === 0 ? parseListing(r.bytes.subarray(r.bytes.indexOf(0x0a) + 1)) : null));
  return { index, stop: s.stop };
}

/** Checks a DST path with the destination script and, with `create`, makes a missing one in the same command. */
export function checkDestinationOn(run: Run, host: string, path: string, shown: string, what: string, create: boolean): undefined {
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
