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
import type { Linger, SshStream } from './ssh-stream.ts';
import { DAEMON_FUNCTION, DAEMON_WAIT, endMark } from './daemon-script.ts';
import { endRecord, MARK_BYTE } from './listing-end.ts';
import type { SourceListing } from './source-listing.ts';

/** A listing bigger than this is not read (MAX_INDEX entries of ~70 bytes fit). */
export const LISTING_BYTES = 64 << 20;

/** The far end's daemon, started in a pre-flight's session (remote-daemon.ts inline: DST's check, or SRC's listing): msd's call for the script, and what the session hands back. */
export type DaemonStart = { call: string; linger: Omit<Linger, 'ended'> };

/** Runs a command on a host over the run's shared ssh connection (see prepareRemote). */
export type Run = (host: string, command: string) => SshResult;
/** The same, not waited for: several hosts at once. */
export type RunAsync = (host: string, command: string) => Promise<SshResult>;
/**
 * The same, for an answer that is a line and then a listing (ssh-stream.ts); `timed`: the
 * command's script starts with link-echo.ts's rounds (the connection's round trip is timed).
 */
export type RunStream = (host: string, command: string, timed?: boolean, linger?: Linger) => SshStream;

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
 * `echo`, link-echo.ts's rounds come first. With `daemon` (remote-daemon.ts inline: a call of
 * daemon-script.ts's msd), the far end's daemon is started once DST is there, before the listing,
 * and the session stays for it (DAEMON_WAIT): its output then ends with END_MARK and a status
 * (find's, after a listing; at most `maxList` bytes of that are sent).
 */
export function destinationScript(path: string, make = false, list?: string, echo = false, daemon?: { call: string; maxList: number }): string {
  const { path: p, parent } = pathAndParent(path);
  const q = shPath(p);
  const start = daemon ? ` ${daemon.call};` : '';
  const listing = !list ? (daemon ? ` ${endMark('0')};` : '') : daemon ? ` { ${list}; ${endMark('$?')}; } | head -c ${daemon.maxList + 1};` : ` exec ${list};`;
  const create = make ? `if mkdir -- ${q}; then echo created;${start}${daemon ? ` ${endMark('0')};` : ''} else echo mkfail; fi` : 'echo create';
  const script = `${echo ? echoPrefix() : ''}if [ -d ${q} ]; then echo dir;${start}${listing} elif [ -e ${q} ] || [ -L ${q} ]; then echo notdir; elif [ -d ${shPath(parent)} ]; then ${create}; else echo noparent; fi`;
  return daemon ? `${DAEMON_FUNCTION}; ${script}; ${DAEMON_WAIT}` : script;
}

/** Whether `tail` (the output's last bytes) ends with END_MARK, a status and a NUL, after the state line or a record. */
export function endMarked(tail: Buffer): boolean {
  if (tail.length < 2 || tail[tail.length - 1] !== 0) return false;
  const at = Math.max(tail.lastIndexOf(0, tail.length - 2), tail.lastIndexOf(0x0a, tail.length - 2));
  return at >= 0 && endRecord(tail.subarray(at + 1, tail.length - 1)) !== undefined;
}

/**
 * A listing followed by END_MARK: the records and find's status, or null when the mark is not
 * there whole (a cut-off listing). A name in the listing cannot pass for it: the mark is only
 * taken where a record ended, and taking a record's field for it leaves that record short
 * (parseListing: null). Only the listing's last record is looked at.
 */
export function listedEnd(data: Buffer): { records: Buffer; status: number } | null {
  if (!data.length || data[data.length - 1] !== 0) return null;
  const at = data.length < 2 ? 0 : data.lastIndexOf(0, data.length - 2) + 1;
  const status = endRecord(data.subarray(at, data.length - 1));
  return status === undefined ? null : { records: data.subarray(0, at), status };
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
  if (first !== null && first !== MARK_BYTE && (root.prefix || first === 0x64)) return; // (0x64: 'd', a directory)
  // (MARK_BYTE: the listing's end mark came first, find listed nothing; its status, then its message)
  const code = first === null ? await listing.closed : first === MARK_BYTE ? await listing.endStatus() : 0;
  if (first === MARK_BYTE) await listing.errorsEnded;
  listing.stop();
  const stdout = first === null || first === MARK_BYTE ? '' : String.fromCharCode(first);
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
export async function checkRemoteDestination(runStream: RunStream, spec: Extract<RemoteSpec, { kind: 'ssh' }>, shown: string, create: boolean, list: boolean, inline?: DaemonStart): Promise<DestListing | undefined> {
  const script = destinationScript(spec.path, create, list ? findCommand(spec.path, false, DEST_FORMAT) : undefined, true, inline ? { call: inline.call, maxList: LISTING_BYTES } : undefined);
  const s = runStream(spec.host, `sh -c ${shQuote(script)}`, true, inline ? { ...inline.linger, ended: endMarked } : undefined);
  const state = await s.first;
  // (with the daemon the session runs on: DST is there once it says so)
  if (inline && (state === 'created' || (state === 'dir' && !list))) return undefined;
  if (!list || state !== 'dir') return destinationState({ ...(await s.whole), stdout: state }, spec.host, spec.path, shown, 'host', create);
  // the listing, while it comes: whole (find's exit 0, nothing cut off) or none (rsync then checks as it always does)
  const index = s.whole.then((r) => {
    if (r.overflow) return null;
    const body = r.bytes.subarray(r.bytes.indexOf(0x0a) + 1);
    if (!inline) return r.code === 0 ? parseListing(body) : null;
    const listed = listedEnd(body);
    return listed?.status === 0 ? parseListing(listed.records) : null;
  });
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
