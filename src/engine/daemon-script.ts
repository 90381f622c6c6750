// The far end of a push's or pull's session-free buckets (remote-daemon.ts): a POSIX sh script,
// run once per run through the pre-flight's shared ssh connection, that starts an rsync daemon on
// the host's loopback for the run's buckets and stops it when the run ends.
//
// Why: every ssh session starts the user's login shell on the far end, with its rc files (one
// host here runs pyenv's init from root's .bashrc: ~0.17 CPU-s and ~65 processes per session),
// and a bucket over ssh is one session. The buckets instead reach this daemon through a stdio
// forward of the same shared connection (`ssh -W`), which starts no shell: 10 one-file pushes to
// a loopback sshd took 2.2 s and 2.0 CPU-s as sessions, 0.85 s and 0.3 CPU-s through the daemon.
//
// The daemon must move files exactly as `rsync host:path` does, so it is only run as root:
// rsync sanitizes symlink targets (or munges them) in any module it cannot chroot, and only root
// can chroot (to /, module path /, so nothing is cut). uid/gid 0 keep root's rights, `numeric ids
// = no` keeps the names mapping, munging is off. It listens on 127.0.0.1 only, allows only
// 127.0.0.1 (the forward arrives from sshd there), and asks for a secret that is new every run:
// it reaches the script on stdin (never in an argv, which every user of the host can read), and
// goes into a 0600 file in a 0700 directory that the script removes on its way out.
//
// The work is the shell function msd, run once per run: in the push's pre-flight session, after
// DST's check and before its listing (ssh-preflight.ts), in a pull's SRC listing session beside
// the listing (listingWithDaemon, source-listing.ts), or in a session of its own (a pull whose
// listing the pre-flight did not start: a resumed run, a manifest).
// Its arguments: $1 the rsync to run, $2 the user name the local rsync will authenticate as, then
// ports to try. It reads the secret as the next line of stdin and prints one line on stderr,
// `multisync-daemon: port PORT HOME` (HOME: the directory the session started in, for relative
// paths) or `multisync-daemon: no REASON`. (On stderr, because stdout is DST's listing in the
// pre-flight's session; and not by calling msd with `>&2`: the shell would keep a copy of stdout
// open in the watchdog it forks, and the session's output would never end.) The script then
// closes its output and waits for stdin to close (DAEMON_WAIT); its EXIT trap stops the daemon
// and removes its directory.
export const DAEMON_MODULE = 'ms';

// (one line: it shows whole in the far end's process list and in ssh logs)
export const DAEMON_FUNCTION = 'p=; w=; msd() { ' + [
  'h=$(pwd); r=$1; u=$2; shift 2',
  '[ "$(id -u 2>/dev/null)" = 0 ] || { echo "multisync-daemon: no root" >&2; return 0; }',
  'command -v "$r" >/dev/null 2>&1 || { echo "multisync-daemon: no rsync" >&2; return 0; }',
  // (the daemon keeps the session's umask: without -p rsync gives new files and directories the
  // receiver's umask, as `rsync host:path` does; only what the script makes here is private)
  'm=$(umask); umask 077',
  'd=$(mktemp -d "${TMPDIR:-/tmp}/multisync-daemon.XXXXXX" 2>/dev/null) || { umask "$m"; echo "multisync-daemon: no tmp" >&2; return 0; }',
  `trap 'for k in $w $p; do kill "$k" 2>/dev/null; done; rm -rf "$d"' EXIT`,
  "trap 'exit 1' HUP INT TERM PIPE",
  'IFS= read -r s || exit 0',
  `printf '%s:%s\\n' "$u" "$s" > "$d/secrets"`,
  `printf '%s\\n' 'use chroot = yes' 'reverse lookup = no' '[${DAEMON_MODULE}]' 'path = /' 'read only = no' 'uid = 0' 'gid = 0' 'numeric ids = no' 'munge symlinks = no' "auth users = $u" "secrets file = $d/secrets" 'hosts allow = 127.0.0.1' > "$d/conf"`,
  'umask "$m"',
  'for port in "$@"; do ' +
    [
      // (a port some other process listens on is passed over: the check below would see that one)
      `hex=$(printf '%04X' "$port")`,
      'l="0100007F:$hex 00000000:0000 0A"',
      'if [ -r /proc/net/tcp ] && grep -q "$l" /proc/net/tcp; then continue; fi',
      // ('&' ends that command: no ';' after it)
      '"$r" --daemon --no-detach --address=127.0.0.1 --port="$port" --config="$d/conf" --log-file="$d/log" </dev/null >/dev/null 2>&1 & p=$!',
      'n=0',
      'while kill -0 "$p" 2>/dev/null; do ' +
        [
          'if [ -r /proc/net/tcp ]; then grep -q "$l" /proc/net/tcp && break; elif [ $n -ge 20 ]; then break; fi',
          'n=$((n + 1)); [ $n -gt 300 ] && break',
          'sleep 0.01 2>/dev/null || sleep 1',
        ].join('; ') +
        '; done',
      // (a watchdog: should this shell be killed outright, the daemon goes with it)
      'if kill -0 "$p" 2>/dev/null; then (while kill -0 $$ 2>/dev/null; do sleep 5; done; kill "$p" 2>/dev/null; rm -rf "$d") </dev/null >/dev/null 2>&1 & w=$!; echo "multisync-daemon: port $port $h" >&2; return 0; fi',
      'p=',
    ].join('; ') +
    '; done',
  'echo "multisync-daemon: no port" >&2',
].join('; ') + '; }';

/**
 * The end of a script that called msd: with a daemon up, its output is closed (the session's
 * answer is complete) and it waits for stdin to close, the run's end.
 */
export const DAEMON_WAIT = '[ -z "$p" ] || { exec >/dev/null 2>&1; cat >/dev/null; }';

/** The daemon in a session of its own (a pull whose SRC's listing the pre-flight did not start). */
export const DAEMON_SCRIPT = `${DAEMON_FUNCTION}; msd "$@"; ${DAEMON_WAIT}`;

/**
 * What ends the answer of a session that stays for the daemon, followed by a status and a NUL:
 * its output has no end of its own while the session runs on (ssh-stream.ts Linger).
 */
export const END_MARK = 'multisync-end ';
/**
 * The line listingWithDaemon prints on stderr after find's last message: stderr too has no end of
 * its own, and it may come after stdout's end mark.
 */
export const END_LINE = 'multisync-end';

/** The sh words that print END_MARK, `status` (a shell word) and a NUL. */
export const endMark = (status: string): string => `printf '${END_MARK}%s\\0' ${status}`;

/**
 * A pull's SRC listing (`find`, source-listing.ts) with the far end's daemon started beside it
 * (`call`: msd's): the listing runs in the background from the start, so the crawl's first
 * record does not wait for the daemon, and ends with END_LINE on stderr, then END_MARK and
 * find's status; the script then stays for the daemon (DAEMON_WAIT).
 */
export function listingWithDaemon(find: string, call: string): string {
  return `${DAEMON_FUNCTION}; { ${find}; ls=$?; echo ${END_LINE} >&2; ${endMark('"$ls"')}; } & lj=$!; ${call}; wait "$lj"; ${DAEMON_WAIT}`;
}
