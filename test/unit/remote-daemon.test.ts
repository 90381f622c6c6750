// The session-free route of a push (src/engine/remote-daemon.ts, daemon-script.ts): the pure
// parts as tables, the far end's script run by a real sh with a real rsync daemon, and the gate
// that holds buckets while the daemon starts.
import { afterAll, expect, test } from 'bun:test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { DAEMON_MODULE, DAEMON_SCRIPT } from '../../src/engine/daemon-script.ts';
import { DaemonGate } from '../../src/engine/daemon-gate.ts';
import { absoluteOnHost, authUser, daemonBlocker, parseAnswer, pickPorts, refusal } from '../../src/engine/daemon-route.ts';
import type { RemoteDaemon } from '../../src/engine/remote-daemon.ts';
import type { StartGate } from '../../src/engine/connect-gate.ts';
import { BucketCommands } from '../../src/engine/bucket-commands.ts';
import { makeRunConfig, sourceRoot } from '../../src/engine/config.ts';
import type { Bucket } from '../../src/engine/types.ts';
import { tempDir, waitFor } from '../e2e/helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

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

const root = process.getuid?.() === 0;
const haveRsync = spawnSync('rsync', ['--version']).status === 0;

test.if(root && haveRsync)('the far end: a daemon for this run on a free port, its secret asked for, gone with its directory when stdin closes', async () => {
  // the first port is taken (by a daemon of the same script), so the second is used
  const first = startScript('s3cret');
  const a1 = await first.answer;
  expect(a1).toMatch(/^multisync-daemon: port \d+ \//);
  const taken = parseAnswer(a1)!.port;
  const second = startScript('other', [taken, taken + 1]);
  const a2 = parseAnswer(await second.answer)!;
  expect(a2.port).toBe(taken + 1);
  const dirs = () => readdirSync(tmp.path).filter((n) => n.startsWith('multisync-daemon.'));
  expect(dirs().length).toBe(2);
  // the right secret is let in, a wrong one is not
  const list = (pw: string) => spawnSync('rsync', ['--list-only', '-d', `rsync://root@127.0.0.1:${a2.port}/${DAEMON_MODULE}/`], { env: { ...process.env, RSYNC_PASSWORD: pw }, encoding: 'utf8' });
  expect(list('other').status).toBe(0);
  expect(list('s3cret').status).toBe(5);
  first.stop();
  second.stop();
  await Promise.all([first.gone, second.gone]);
  expect(dirs()).toEqual([]);
  expect(list('other').status).not.toBe(0); // nobody listens any more
});

function startScript(secret: string, ports?: number[]) {
  const child = spawn('sh', ['-c', DAEMON_SCRIPT, 'multisync-daemon', 'rsync', 'root', ...(ports ?? pickPorts()).map(String)], { env: { ...process.env, TMPDIR: tmp.path }, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write(`${secret}\n`);
  const answer = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
  });
  const gone = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { answer, gone, stop: () => child.stdin.end(), kill: () => child.kill('SIGKILL') };
}

test.if(root && haveRsync)('the far end: a shell killed outright (no trap runs) takes its daemon and directory along', async () => {
  const s = startScript('k');
  const port = parseAnswer(await s.answer)!.port;
  const daemonUp = () => spawnSync('rsync', ['--list-only', '-d', `rsync://root@127.0.0.1:${port}/${DAEMON_MODULE}/`], { env: { ...process.env, RSYNC_PASSWORD: 'k' } }).status === 0;
  expect(daemonUp()).toBe(true);
  s.kill();
  await s.gone;
  const dirs = () => readdirSync(tmp.path).filter((n) => n.startsWith('multisync-daemon.'));
  await waitFor(() => !daemonUp() && dirs().length === 0, 'the watchdog stopped the daemon', 15_000);
}, 20_000);

test.if(root && haveRsync)('the far end says no when it is not root', async () => {
  const r = spawnSync('sh', ['-c', `id() { echo 1000; }; ${DAEMON_SCRIPT}`, 'multisync-daemon', 'rsync', 'root', '40000'], { input: 'x\n', encoding: 'utf8' });
  expect(r.stdout).toBe('multisync-daemon: no root\n');
  expect(existsSync(tmp.path)).toBe(true);
});

/** A daemon stand-in: starting until settle() is called. */
function fakeDaemon() {
  let fs: Array<() => void> = [];
  const d = {
    starting: true,
    needsOpening: () => false,
    openers: { opening: () => false },
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
    return { route: () => route, reason: null, starting: false, needsOpening: () => false, openers: { opening: () => false } } as unknown as RemoteDaemon;
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
