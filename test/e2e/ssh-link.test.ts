// Which shared ssh connections a run's rsyncs use (src/engine/slot-ssh.ts): on a near link (the
// pre-flight timed its round trip below NEAR_RTT_MS, src/engine/link-echo.ts) slots 1 … SHARED_SLOTS
// share the pre-flight's connection and only the slots above get their own; through a relay that
// delays every byte (a far link) every slot has its own. What the rsyncs used is read from the
// arguments of every ssh they started (a logging ssh in front of the real one), not from
// multisync's own account; real rsync and sshd (sshd.ts), trees compared.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, linkSync, lstatSync, readdirSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRelay } from '../../bench/relay.ts';
import { makeSmallFilesTree } from '../../src/engine/small-files-tree.ts';
import { NEAR_RTT_MS, SHARED_SLOTS } from '../../src/engine/slot-ssh.ts';
import { runCli, summaryOf, tempDir } from './helpers.ts';
import { HAVE_SSHD, loggingSsh as makeLoggingSsh, startSshLab, type SshLab } from './sshd.ts';
import { expectSameTrees } from '../trees.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');
const log = join(tmp.path, 'ssh-args.log');
const H = '127.0.0.1';
let lab: SshLab;
let relay: { port: number; close(): void } | undefined;
/** A slower far link, for buckets whose data lasts long enough to forecast its end (early-start.ts). */
let slow: { port: number; close(): void } | undefined;
const big = join(tmp.path, 'big');
/** `ssh` that logs its arguments, then runs the real one with the same argv (no shell). */
let loggingSsh = '';

const suite = HAVE_SSHD ? describe : describe.skip;

beforeAll(async () => {
  if (!HAVE_SSHD) return;
  // (sshd's default MaxSessions: the shared connection must stay within it)
  lab = await startSshLab([H], { maxSessions: '10' });
  await makeSmallFilesTree(src, { files: 300, dirs: 10, minSize: 10, maxSize: 2000, seed: 3 });
  loggingSsh = makeLoggingSsh(join(tmp.path, 'bin'));
  // 6 ms each way: a 12 ms round trip
  relay = await startRelay({ target: lab.port, delayMs: 6, rate: 200 * 2 ** 20, window: 4 * 2 ** 20 });
  slow = await startRelay({ target: lab.port, delayMs: 6, rate: 4 * 2 ** 20, window: 1 * 2 ** 20 });
  mkdirSync(big);
  for (let i = 0; i < 12; i++) writeFileSync(join(big, `f${String(i).padStart(2, '0')}`), Buffer.alloc(2 ** 20, i + 1));
});
afterAll(() => {
  slow?.close();
  relay?.close();
  lab?.cleanup();
  tmp.cleanup();
});

/**
 * The control sockets the buckets' rsyncs reached the host through (`…/%C` or `…/%C-N`; a push's
 * rsyncs that went through the far end's daemon name the socket ssh made of it, `-S …/HASH[-N]`).
 */
function rsyncSockets(): Set<string> {
  const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('rsync --server'));
  expect(lines.length).toBeGreaterThan(0);
  return new Set(lines.map((l) => /ControlPath=\S*\/(%C(?:-\d+)?)/.exec(l)?.[1] ?? viaDaemon(l) ?? 'none'));
}

function viaDaemon(line: string): string | undefined {
  const m = / -S \S*\/[0-9a-f]+(-\d+)? .* rsync --server --daemon /.exec(line);
  return m ? `%C${m[1] ?? ''}` : undefined;
}

async function run(name: string, p: number, port: number, pull = false, from = src, files = 20) {
  writeFileSync(log, '');
  const rsh = lab.rsh.replace(/^ssh /, `${loggingSsh} `).replace(/ -p \d+ /, ` -p ${port} `);
  const dst = join(tmp.path, name);
  const args = pull ? [`${H}:${from}/`, dst] : [`${from}/`, `${H}:${dst}`];
  const r = await runCli(['--json', '-e', rsh, '-p', String(p), '-f', String(files), ...args], { env: { SSH_ARGS_LOG: log } });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  await expectSameTrees(from, dst);
  return summaryOf(r.stdout);
}

suite('the shared ssh connections of the slots', () => {
  test(`near link, -p ${SHARED_SLOTS}: every rsync goes through the pre-flight's connection`, async () => {
    const sum = await run('near-push', SHARED_SLOTS, lab.port);
    expect(sum.ssh.rttMs).toBeLessThan(NEAR_RTT_MS);
    // (how long the pre-flight's session took to start: session-cost.ts sizes buckets by it)
    expect(sum.ssh.sessionMs).toBeGreaterThan(0);
    expect(sum.ssh.sessionMs).toBeLessThan(30_000);
    expect([...rsyncSockets()]).toEqual(['%C']);
    expect(sum.ssh.connections).toBe(1);
    expect(lab.hosts[0].log()).not.toMatch(/no more sessions/);
    // one session on the far end, as one rsync opens: DST's check, which also starts the daemon
    // every bucket and the directory pass go through (remote-daemon.ts inline)
    expect(sum.ssh.daemonBuckets).toBe(sum.buckets);
    const sessions = readFileSync(log, 'utf8').split('\n').filter((l) => / sh -c /.test(l) || (/ rsync --server /.test(l) && !/ -W /.test(l)));
    expect(sessions.length).toBe(1);
    expect(sessions[0]).toContain('msd ');
  });

  test('near link, a pull: the same', async () => {
    const sum = await run('near-pull', 3, lab.port, true);
    expect(sum.ssh.rttMs).toBeLessThan(NEAR_RTT_MS);
    expect(sum.ssh.sessionMs).toBeGreaterThan(0);
    expect([...rsyncSockets()]).toEqual(['%C']);
    expect(sum.ssh.connections).toBe(1);
    // one session here too: SRC's listing, which starts the daemon beside it (source-listing.ts)
    expect(sum.ssh.daemonBuckets).toBe(sum.buckets);
    const sessions = readFileSync(log, 'utf8').split('\n').filter((l) => / sh -c /.test(l) || (/ rsync --server /.test(l) && !/ -W /.test(l)));
    expect(sessions.length).toBe(1);
    expect(sessions[0]).toContain('msd ');
    expect(sessions[0]).toContain(' find ');
  });

  test(`near link, -p ${SHARED_SLOTS + 3}: only the slots above ${SHARED_SLOTS} have connections of their own`, async () => {
    const sum = await run('near-many', SHARED_SLOTS + 3, lab.port);
    const used = rsyncSockets();
    for (const s of used) expect(s === '%C' || Number(s.slice(3)) > SHARED_SLOTS).toBe(true);
    expect(sum.ssh.connections).toBe(used.size);
    expect(lab.hosts[0].log()).not.toMatch(/no more sessions/);
  });

  test('far link (a 12 ms round trip): every slot has its own connection', async () => {
    const sum = await run('far-push', 3, relay!.port);
    expect(sum.ssh.rttMs).toBeGreaterThanOrEqual(NEAR_RTT_MS);
    const used = rsyncSockets();
    // (slot 1's is the pre-flight's; 15 buckets of 20 entries, 3 slots: all three run some)
    expect(used.size).toBeGreaterThan(1);
    for (const s of used) expect(s === '%C' || /^%C-[23]$/.test(s)).toBe(true);
    expect(sum.ssh.connections).toBe(used.size);
    // (for the far end's daemon the slots' own connections were opened bare, `ssh -N`, so no
    // bucket went as a session to set one up: slot-openers.ts)
    expect(sum.ssh.daemonBuckets).toBe(sum.buckets);
    const bare = readFileSync(log, 'utf8').split('\n').filter((l) => / -N \S+$/.test(l));
    expect(bare.map((l) => /ControlPath=\S*\/(%C-\d+)/.exec(l)?.[1]).sort()).toEqual(['%C-2', '%C-3']);
  });

  // (2 MiB buckets at 4 MiB/s per connection: each slot takes its next bucket once the last one's
  // bytes are due to end within a session's start, and the two overlap on its connection; that
  // the next one starts then is test/engine/supervisor.test.ts's, what the overlap copies is this)
  test('far link, buckets whose data lasts (the next one starts while the last one ends): push and pull are identical', async () => {
    for (const pull of [false, true]) {
      const sum = await run(pull ? 'early-pull' : 'early-push', 2, slow!.port, pull, big, 2);
      expect(sum).toMatchObject({ status: 'ok', buckets: 6, failedBuckets: 0, files: 12 });
      expect(sum.ssh.rttMs).toBeGreaterThanOrEqual(NEAR_RTT_MS);
    }
  });

  // A push's or pull's buckets reach the far end through its rsync daemon (remote-daemon.ts): no
  // session per bucket. It must move what a session moves: absolute symlinks (a daemon outside a
  // chroot would rewrite them), hard links, odd names, modes and directory times.
  test.each(['push', 'pull'] as const)("a %s through the far end's daemon: every bucket, the same tree as through sessions", async (way) => {
    const odd = oddTree();
    for (const daemon of [true, false]) {
      const dst = join(tmp.path, `${way}-via-${daemon ? 'daemon' : 'sessions'}`);
      const args = way === 'push' ? [`${odd}/`, `${H}:${dst}`] : [`${H}:${odd}/`, dst];
      const r = await runCli(['--json', '-e', lab.rsh, '-p', '3', '-f', '5', '-r', '-aH --numeric-ids', ...args], { env: daemon ? {} : { MULTISYNC_SSH_DAEMON: '0' } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await expectSameTrees(odd, dst, { hardlinks: true });
      const sum = summaryOf(r.stdout);
      if (daemon) expect(sum.ssh.daemonBuckets).toBe(sum.buckets);
      else expect(sum.ssh.daemonBuckets).toBeUndefined();
      expect(readlinkSync(join(dst, 'abs-link'))).toBe('/etc/passwd');
    }
  });

  // Without -p rsync gives what it makes the receiver's umask: the far session's, as with
  // `rsync host:path`, never the private umask the daemon's script writes its secret under.
  test("a push without -p through the far end's daemon: new files and directories get the far session's umask, as through sessions", async () => {
    const odd = oddTree();
    const modes: Record<string, Map<string, number>> = {};
    for (const daemon of [true, false]) {
      const dst = join(tmp.path, `no-perms-via-${daemon ? 'daemon' : 'sessions'}`);
      const r = await runCli(['--json', '-e', lab.rsh, '-p', '3', '-f', '5', '-r', '-rlt', `${odd}/`, `${H}:${dst}`], { env: daemon ? {} : { MULTISYNC_SSH_DAEMON: '0' } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const sum = summaryOf(r.stdout);
      if (daemon) expect(sum.ssh.daemonBuckets).toBe(sum.buckets);
      modes[String(daemon)] = modesOf(dst);
    }
    expect(modes.true.get('dir/f1')).toBe(0o100644);
    expect(modes.true.get('dir')).toBe(0o40755);
    expect([...modes.true]).toEqual([...modes.false]);
  });

  test('a far sshd that refuses forwarding: the daemon is given up after its first request, every bucket goes as a session', async () => {
    const closed = await startSshLab([H], { forwarding: false });
    try {
      const from = oddTree();
      const dst = join(tmp.path, 'no-forwarding');
      const r = await runCli(['--json', '-e', closed.rsh, '-p', '3', '-f', '5', '-r', '-aH --numeric-ids', `${from}/`, `${H}:${dst}`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await expectSameTrees(from, dst, { hardlinks: true });
      const sum = summaryOf(r.stdout);
      expect(sum.ssh.daemonBuckets).toBe(0);
      expect(sum.ssh.daemonOff).toMatch(/first request failed/);
    } finally {
      closed.cleanup();
    }
  });
});

/** Every entry's mode below `root` (lstat), by relative path, sorted. */
function modesOf(root: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const rel of (readdirSync(root, { recursive: true }) as string[]).sort()) out.set(rel, lstatSync(join(root, rel)).mode);
  return out;
}

/** A tree with what a daemon outside a chroot would rewrite (an absolute symlink), hard links, odd names, a mode, directory times. */
function oddTree(): string {
  const odd = join(tmp.path, 'odd');
  if (existsSync(odd)) return odd;
  mkdirSync(join(odd, 'dir', 'sub'), { recursive: true });
  for (let i = 0; i < 30; i++) writeFileSync(join(odd, 'dir', `f${i}`), `file ${i}\n`);
  writeFileSync(join(odd, 'new\nline'), 'n');
  writeFileSync(join(odd, '-dash'), 'd');
  writeFileSync(join(odd, "it's"), 'q');
  writeFileSync(join(odd, 'dir', 'sub', 'mode'), 'm', { mode: 0o640 });
  linkSync(join(odd, 'dir', 'f1'), join(odd, 'hard'));
  symlinkSync('/etc/passwd', join(odd, 'abs-link'));
  symlinkSync('../outside', join(odd, 'rel-link'));
  utimesSync(join(odd, 'dir', 'sub'), 1_000_000_000, 1_000_000_000);
  utimesSync(join(odd, 'dir'), 1_100_000_000, 1_100_000_000);
  return odd;
}
