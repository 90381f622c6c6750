// The session-free route of a push or pull (src/engine/remote-daemon.ts): the pure parts as
// tables, the gate that holds buckets while the daemon starts, and the argv a route makes. (The
// far end's script, daemon-script.ts, is run by a real sh in remote.test.ts.)
import { expect, test } from 'bun:test';
import { DaemonGate } from '../../src/engine/daemon-gate.ts';
import { absoluteOnHost, authUser, daemonBlocker, parseAnswer, pickPorts, refusal } from '../../src/engine/daemon-route.ts';
import type { RemoteDaemon } from '../../src/engine/remote-daemon.ts';
import type { StartGate } from '../../src/engine/connect-gate.ts';
import { BucketCommands } from '../../src/engine/bucket-commands.ts';
import { makeRunConfig, sourceRoot } from '../../src/engine/config.ts';
import type { Bucket } from '../../src/engine/types.ts';

test.each([
  ['/srv/dst', '/root', '/srv/dst'],
  ['dst', '/root', '/root/dst'],
  ['a/b/', '/home/u/', '/home/u/a/b/'],
  ['~', '/home/u', '/home/u'],
  ['~/x', '/home/u', '/home/u/x'],
  ['.', '/home/u', '/home/u'],
  ['', '/home/u', '/home/u'],
  ['~/', '/home/u', '/home/u/'],
  ['./', '/home/u/', '/home/u/'],
  ['src/', '/', '/src/'],
  ['~other/x', '/home/u', null],
] as Array<[string, string, string | null]>)('the remote path %p with the session in %p is %p on the host', (path, home, abs) => {
  expect(absoluteOnHost(path, home)).toBe(abs);
});

test.each([
  [['-aS', '--numeric-ids'], null],
  [['-a', '--rsync-path=sudo rsync'], 'rsync option --rsync-path=sudo rsync'],
  [['-a', '--rsync-path', 'x'], 'rsync option --rsync-path'],
  [['-a', '--port=873'], 'rsync option --port=873'],
  [['-a', '--password-file=/x'], 'rsync option --password-file=/x'],
  [['-a', '-e', 'ssh'], 'rsync option -e'],
  [['-a', '--rsh=ssh -p 2'], 'rsync option --rsh=ssh -p 2'],
  [['-a', '--exclude=--port'], null],
] as Array<[string[], string | null]>)('options %p keep buckets off the daemon: %p', (opts, why) => {
  expect(daemonBlocker(opts)).toBe(why);
});

test('the user rsync authenticates as: $USER, then $LOGNAME, else nobody; none that the config cannot hold', () => {
  expect(authUser({ USER: 'root', LOGNAME: 'x' })).toBe('root');
  expect(authUser({ LOGNAME: 'ops.user-1' })).toBe('ops.user-1');
  expect(authUser({})).toBe('nobody');
  expect(authUser({ USER: 'a b' })).toBeNull();
  expect(authUser({ USER: 'a,b' })).toBeNull();
});

test('answers of the far end', () => {
  expect(parseAnswer('multisync-daemon: port 40123 /root')).toEqual({ port: 40123, home: '/root' });
  expect(parseAnswer('multisync-daemon: port 40123 /home/a b')).toEqual({ port: 40123, home: '/home/a b' });
  expect(parseAnswer('multisync-daemon: no root')).toBeNull();
  expect(parseAnswer('garbage')).toBeNull();
  for (const p of pickPorts()) expect(p >= 20000 && p < 60000).toBe(true);
  expect(refusal('multisync-daemon: no root')).toBe('the far user is not root');
  expect(refusal('multisync-daemon: no port')).toBe('no free port on the far host');
  expect(refusal('Welcome to the far host')).toBe('no answer');
});

/** A daemon stand-in: starting until settle() is called. */
function fakeDaemon() {
  let fs: Array<() => void> = [];
  const answer: Array<() => void> = [];
  const opened: number[] = [];
  const d = {
    starting: true,
    /** Slots whose own connection is wanted (a far link's, once the daemon answered). */
    want: new Set<number>(),
    opened,
    needsOpening: (slot: number) => d.want.has(slot) && !opened.includes(slot),
    openers: { opening: () => false, open: (slot: number) => (opened.push(slot), Promise.resolve(true)) },
    onAnswer: (f: () => void) => answer.push(f),
    answer() {
      for (const f of answer) f();
    },
    onSettled(f: () => void) {
      if (d.starting) fs.push(f);
      else f();
    },
    settle() {
      d.starting = false;
      const w = fs;
      fs = [];
      for (const f of w) f();
    },
  };
  return d;
}

test('buckets wait for a starting daemon, then go; the inner gate is asked after', () => {
  const d = fakeDaemon();
  const asked: number[] = [];
  const inner: StartGate = { mayStart: (s) => (asked.push(s), true), ended() {}, onOpen() {}, close() {} };
  const gate = new DaemonGate(d as unknown as RemoteDaemon, inner, 60_000);
  let opened = 0;
  gate.onOpen(() => opened++);
  expect(gate.mayStart(1)).toBe(false);
  expect(gate.mayStart(2)).toBe(false);
  expect(asked).toEqual([]);
  d.settle();
  expect(opened).toBe(1);
  expect(gate.mayStart(1)).toBe(true);
  expect(asked).toEqual([1]);
  gate.close();
});

test("the slots' own connections are opened when the daemon answers, before any bucket asks, as the inner gate lets them connect", () => {
  const d = fakeDaemon();
  const asked: number[] = [];
  const inner: StartGate = { mayStart: (s) => (asked.push(s), s <= 3), ended() {}, onOpen() {}, close() {} };
  const gate = new DaemonGate(d as unknown as RemoteDaemon, inner, 60_000, 4);
  d.want = new Set([2, 3, 4]);
  d.answer(); // (its first request still under way: still starting)
  expect(d.opened).toEqual([2, 3]);
  expect(asked).toEqual([2, 3, 4]);
  gate.close();
});

test('buckets wait no longer than the hold', async () => {
  const d = fakeDaemon();
  const gate = new DaemonGate(d as unknown as RemoteDaemon, undefined, 30);
  const opened = new Promise<void>((resolve) => gate.onOpen(resolve));
  expect(gate.mayStart(1)).toBe(false);
  await opened;
  expect(gate.mayStart(1)).toBe(true); // still starting: sessions now
});

test("a bucket's first attempt goes through the daemon's route, a retry as a session, and a pull names the daemon's SRC", () => {
  const daemonAt = (remote: string) => {
    const route = { rsh: 'ssh -o ControlMaster=no -S /c/abc -W 127.0.0.1:40000', remote, passwordOption: '--password-file=/c/daemon-secret' };
    return { route: () => route, reason: null, starting: false, needsOpening: () => false, openers: { opening: () => false }, onAnswer: () => {} } as unknown as RemoteDaemon;
  };
  const bucket = (attempts: number) => ({ id: 1, source: 0, listFile: '/state/bucket-1.list', files: 3, bytes: 30, attempts }) as unknown as Bucket;
  const push = new BucketCommands(makeRunConfig({ sources: [sourceRoot('/data/')], destination: 'far:/srv/dst', rsh: 'ssh', sshDaemon: daemonAt('far::ms/srv/dst/') }), false);
  const first = push.argvFor(bucket(1), 1);
  expect(first).toContain('--rsh=ssh -o ControlMaster=no -S /c/abc -W 127.0.0.1:40000');
  expect(first).toContain('--password-file=/c/daemon-secret');
  expect(first.at(-1)).toBe('far::ms/srv/dst/');
  const retry = push.argvFor(bucket(2), 1);
  expect(retry.join(' ')).not.toContain('::ms');
  expect(retry.at(-1)).toBe('far:/srv/dst/');
  const pull = new BucketCommands(makeRunConfig({ sources: [sourceRoot('far:/srv/src/')], destination: '/data', rsh: 'ssh', sshDaemon: daemonAt('far::ms/srv/src/') }), false);
  const p = pull.argvFor(bucket(1), 1);
  expect(p.at(-2)).toBe('far::ms/srv/src/');
  expect(p.at(-1)).toBe('/data/');
});
