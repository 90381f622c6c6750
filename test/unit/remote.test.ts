// Table tests for the remote pieces that are pure: shell quoting (checked by a real sh), remote
// path parsing, the remote find listing parser, worker argv and kill commands; and the remote
// scripts, run by a real sh here (the one place a test does).
import { afterAll, describe, expect, test } from 'bun:test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remoteSourceRoot, parseRemote, shCommand, shPath, shQuote, badHost } from '../../src/engine/remote.ts';
import { findCommand, findPath, ListingWalker, parseFindError, parseRecord, RecordSplitter } from '../../src/engine/remote-crawl.ts';
import { destinationScript, needsProtectArgs, pathAndParent } from '../../src/engine/remote-preflight.ts';
import { endMarked, listedEnd } from '../../src/engine/ssh-preflight.ts';
import { TAIL } from '../../src/engine/ssh-stream.ts';
import { DEST_FORMAT, parseListing } from '../../src/engine/remote-dest.ts';
import { ECHO_MARK, ECHO_ROUNDS } from '../../src/engine/link-echo.ts';
import { controlOptions, rshForRsync, sshArgv } from '../../src/engine/ssh-control.ts';
import { markerOf, parseWorkerList, remoteKillCommand, workerRsyncArgs } from '../../src/engine/worker-commands.ts';
import { WorkerPool } from '../../src/engine/workers.ts';
import type { Entry } from '../../src/engine/types.ts';
import { DAEMON_MODULE, DAEMON_SCRIPT } from '../../src/engine/daemon-script.ts';
import { parseAnswer, pickPorts } from '../../src/engine/daemon-route.ts';
import { waitFor } from '../e2e/helpers.ts';

/** What a POSIX shell makes of `printf %s WORD`, as raw bytes. */
function shellEcho(word: string): Buffer {
  const r = spawnSync('/bin/sh', ['-c', `printf %s ${word}`]);
  return r.stdout;
}

describe('shQuote: one word for a remote POSIX shell, whatever the bytes', () => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['/a/b-c_d.e', '/a/b-c_d.e'],
    ['', "''"],
    ['with space', "'with space'"],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ['a"b', `'a"b'`],
    ['$HOME', "'$HOME'"],
    ['`id`', "'`id`'"],
    ['$(id)', "'$(id)'"],
    ['*', "'*'"],
    ['?[ab]', "'?[ab]'"],
    ['~', "'~'"],
    ['~/x', "'~/x'"],
    ['a\\b', "'a\\b'"],
    ['line\nbreak', "'line\nbreak'"],
    ['tab\there', "'tab\there'"],
    [';rm -rf /', "';rm -rf /'"],
    ['a&b|c>d<e', "'a&b|c>d<e'"],
    ['#comment', "'#comment'"],
    ['-leading-dash', '-leading-dash'],
    ['=equals', "'=equals'"],
    ['{a,b}', "'{a,b}'"],
    ['!bang', "'!bang'"],
    ['caf\u00e9', "'caf\u00e9'"],
  ];
  test.each(cases)('%p → %p', (word, quoted) => {
    expect(shQuote(word)).toBe(quoted);
  });
  test.each(cases.map(([w]) => [w]))('%p survives a real sh unchanged', (word) => {
    expect(shellEcho(shQuote(word)).toString()).toBe(word);
  });
  test('multi-byte UTF-8 and control characters survive a real sh', () => {
    const word = "\u65e5\u672c 'x' \u0001\u007f \u00ff";
    expect(shellEcho(shQuote(word)).toString()).toBe(word);
  });
  test('shCommand quotes every word', () => {
    expect(shCommand(['rsync', '-a', 'a b', "c'd"])).toBe("rsync -a 'a b' 'c'\\''d'");
  });
  test.each<[string, string]>([
    ['~', '"$HOME"'],
    ['~/dir with space', `"$HOME"/'dir with space'`],
    ['/abs', '/abs'],
    ['~user/x', "'~user/x'"],
  ])('shPath %p → %p', (p, q) => {
    expect(shPath(p)).toBe(q);
  });
});

describe('parseRemote (rsync host:path rules)', () => {
  test.each<[string, ReturnType<typeof parseRemote>]>([
    ['host:/data', { kind: 'ssh', host: 'host', path: '/data' }],
    ['user@host:dir/x', { kind: 'ssh', host: 'user@host', path: 'dir/x' }],
    ['host:', { kind: 'ssh', host: 'host', path: '' }],
    ['host:/a b/c:d', { kind: 'ssh', host: 'host', path: '/a b/c:d' }],
    ['[::1]:/x', { kind: 'ssh', host: '[::1]', path: '/x' }],
    ['u@[fe80::1]:/x', { kind: 'ssh', host: 'u@[fe80::1]', path: '/x' }],
    ['host::mod/p/q', { kind: 'daemon', host: 'host', module: 'mod', path: 'p/q', url: false }],
    ['host::mod', { kind: 'daemon', host: 'host', module: 'mod', path: '', url: false }],
    ['rsync://host/mod/p', { kind: 'daemon', host: 'host', module: 'mod', path: 'p', port: undefined, url: true }],
    ['rsync://u@host:8873/mod/a b/', { kind: 'daemon', host: 'u@host', module: 'mod', path: 'a b/', port: 8873, url: true }],
    ['./a:b', null],
    ['/x:y', null],
    ['plain', null],
  ])('%p', (arg, spec) => {
    expect(parseRemote(arg)).toEqual(spec);
  });

  test.each<[string, string, string]>([
    ['h:/data/src/', 'h:/data/src/', ''],
    ['h:/data/src', 'h:/data/', 'src'],
    ['h:src', 'h:./', 'src'],
    ['h:src/', 'h:src/', ''],
    ['h:', 'h:./', ''],
    ['u@h:/', 'u@h:/', ''],
    ['h:/a b/c d', 'h:/a b/', 'c d'],
  ])('remoteSourceRoot %p → base %p, prefix %p', (arg, base, prefix) => {
    expect(remoteSourceRoot(arg)).toEqual({ arg, base, prefix });
  });

  test.each<[string, boolean]>([
    ['host', true],
    ['user@host', true],
    ['-oProxyCommand=x', false],
    ['', false],
    ['a b', false],
    ['user@', false],
  ])('host %p usable: %p', (h, ok) => {
    expect(badHost(h) === null).toBe(ok);
  });
});

describe('remote find listing', () => {
  const rec = (s: string) => Buffer.from(s, 'latin1');
  test('records split at NUL across chunk boundaries', () => {
    const sp = new RecordSplitter();
    expect(sp.push(Buffer.from('d 4096 1 2 3 \0f 5 7 2 1 a\nb'))).toEqual([Buffer.from('d 4096 1 2 3 ')]);
    expect(sp.push(Buffer.from('\0l 3 8 2 1 c'))).toEqual([Buffer.from('f 5 7 2 1 a\nb')]);
    expect(sp.pending).toBe(11);
  });
  test('a record: type, size, inode, device, links, then the raw path (spaces, newlines, any byte)', () => {
    expect(parseRecord(rec('f 12 34 56 2 dir/a b\nc\xff'))).toEqual({ kind: 'file', type: 'f', size: 12, ino: 34, dev: 56, nlink: 2, rel: rec('dir/a b\nc\xff'), extra: [] });
    expect(parseRecord(rec('d 4096 1 2 3 '))?.rel.length).toBe(0);
    expect(parseRecord(rec('D 0 1 2 3 door'))?.kind).toBeNull();
    expect(parseRecord(rec('f x 1 2 3 a'))).toBeNull();
    expect(parseRecord(rec('f 1 2'))).toBeNull();
  });
  test.each<[string, string, string]>([
    ["find: '/s/x': Permission denied", '/s/x', 'EACCES'],
    ["find: '/s/gone': No such file or directory", '/s/gone', 'ENOENT'],
    ['find: ‘/s/u’: Permission denied', '/s/u', 'EACCES'],
    ['find: something else', '', 'EIO'],
  ])('find error %p', (line, path, code) => {
    const e = parseFindError(line);
    expect(e.path).toBe(path);
    expect(e.error.code).toBe(code);
  });
  test.each<[string, string]>([
    ['', '.'],
    ['/abs', '/abs'],
    ['-dash', './-dash'],
    ['!', './!'],
    ['(', './('],
    ['rel/x', './rel/x'],
    ['./x', './x'],
    ['../x', '../x'],
    ['~/x', '~/x'],
  ])('findPath %p → %p', (p, f) => {
    expect(findPath(p)).toBe(f);
  });
  test('find command: the path quoted, -xdev with -x', () => {
    expect(findCommand("/d/it's here/", false)).toBe(`env LC_ALL=C find -P '/d/it'\\''s here' -printf '%y %s %i %D %n %P\\0'`);
    expect(findCommand('/d', true)).toContain(' -xdev -printf ');
  });
  test('the find command runs on a real tree and parses back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'multisync-find-'));
    try {
      mkdirSync(join(dir, "a b/it's"), { recursive: true });
      writeFileSync(join(dir, 'a b', 'f\nnl'), 'xyz');
      const r = spawnSync('/bin/sh', ['-c', findCommand(`${dir}/`, false)]);
      const recs = new RecordSplitter().push(r.stdout).map((b) => parseRecord(b)!);
      const byPath = Object.fromEntries(recs.map((x) => [x.rel.toString(), x]));
      expect(Object.keys(byPath).sort()).toEqual(['', 'a b', 'a b/f\nnl', "a b/it's"]);
      expect(byPath['a b/f\nnl']).toMatchObject({ kind: 'file', size: 3, nlink: 1 });
      expect(byPath["a b/it's"].kind).toBe('dir');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  function walk(prefix: string, records: Array<[string, string]>, filter?: (p: string, dir: boolean) => boolean) {
    const dirs: string[] = [];
    const done: string[] = [];
    const w = new ListingWalker(Buffer.from(prefix), {
      onDir: (p) => dirs.push(p.toString()),
      onTreeDone: (p) => done.push(p.toString()),
      filter: filter && ((p, d) => filter(p.toString(), d)),
    });
    const out: Entry[] = [];
    for (const [type, rel] of records) out.push(...w.record(parseRecord(Buffer.from(`${type} 1 1 1 1 ${rel}`))!));
    out.push(...w.end());
    return { entries: out.map((e) => `${e.kind}:${e.path}`), dirs, done };
  }

  test('walker: files and empty directories are entries, every directory goes to onDir', () => {
    const r = walk('', [
      ['d', ''],
      ['d', 'a'],
      ['f', 'a/x'],
      ['d', 'a/empty'],
      ['d', 'b'],
      ['d', 'b/c'],
      ['l', 'link'],
    ]);
    expect(r.entries).toEqual(['file:a/x', 'dir:a/empty', 'dir:b/c', 'symlink:link']);
    expect(r.dirs).toEqual(['.', 'a', 'a/empty', 'b', 'b/c']);
    expect(r.done).toEqual(['a/empty', 'a', 'b/c', 'b', '.']);
  });
  test('walker: prefix for a `host:src` source; an empty top directory is an entry', () => {
    expect(walk('src', [['d', ''], ['f', 'x']]).entries).toEqual(['file:src/x']);
    expect(walk('src', [['d', '']]).entries).toEqual(['dir:src']);
  });
  test('walker: an excluded directory is skipped with its subtree; a directory left empty by the filter is an entry', () => {
    const r = walk(
      '',
      [
        ['d', ''],
        ['d', 'keep'],
        ['f', 'keep/a.tmp'],
        ['d', 'skip'],
        ['f', 'skip/x'],
        ['d', 'skip/y'],
        ['f', 'skip/y/z'],
        ['f', 'skipped-not'],
      ],
      (p) => p !== 'skip' && !p.endsWith('.tmp'),
    );
    expect(r.entries).toEqual(['dir:keep', 'file:skipped-not']);
    expect(r.dirs).toEqual(['.', 'keep']);
  });
  test('walker: where subtrees start and end, and what was left out, for naming them whole', () => {
    const seen: string[] = [];
    const w = new ListingWalker(Buffer.from(''), {
      enterDir: (p) => seen.push(`enter ${p}`),
      leaveDir: (p) => seen.push(`leave ${p}`),
      pruned: () => seen.push('pruned'),
      filter: (p) => !p.toString().endsWith('.tmp'),
    });
    const records: Array<[string, string]> = [['d', ''], ['d', 'a'], ['f', 'a/x'], ['f', 'a/y.tmp'], ['d', 'b'], ['d', 'b/c'], ['f', 'b/c/z'], ['?', 'b/odd']];
    for (const [type, rel] of records) {
      for (const e of w.record(parseRecord(Buffer.from(`${type} 1 1 1 1 ${rel}`))!)) seen.push(`entry ${e.path}`);
    }
    for (const e of w.end()) seen.push(`entry ${e.path}`);
    // (an entry is added before the subtree it closes is left; the unknown type is an error, left out)
    expect(seen).toEqual(['enter .', 'enter a', 'entry a/x', 'pruned', 'leave a', 'enter b', 'enter b/c', 'entry b/c/z', 'leave b/c', 'pruned', 'leave b', 'leave .']);
  });
  test('walker: a sibling whose name extends a directory name is not taken for its child', () => {
    expect(walk('', [['d', ''], ['d', 'a'], ['f', 'ab']]).entries).toEqual(['dir:a', 'file:ab']);
  });
});

describe('remote pre-flight helpers', () => {
  test.each<[string, string, string]>([
    ['/a/b/', '/a/b', '/a'],
    ['/a', '/a', '/'],
    ['/', '/', '/'],
    ['rel', 'rel', '.'],
    ['', '.', '.'],
    ['x/y//', 'x/y', 'x'],
  ])('pathAndParent %p', (p, path, parent) => {
    expect(pathAndParent(p)).toEqual({ path, parent });
  });
  test.each<[string, boolean]>([
    ['3.1.3', true],
    ['3.2.3', true],
    ['3.2.4', false],
    ['3.4.1', false],
    ['4.0.0', false],
  ])('rsync %p needs --protect-args: %p', (v, yes) => {
    expect(needsProtectArgs(v)).toBe(yes);
  });
  test('destination script, run by a real sh: dir, notdir, create, noparent (odd names)', () => {
    const dir = mkdtempSync(join(tmpdir(), "multisync-dst 'q\" "));
    try {
      mkdirSync(join(dir, 'is dir'));
      writeFileSync(join(dir, "it's a file"), '');
      const state = (p: string) => spawnSync('/bin/sh', ['-c', destinationScript(p)]).stdout.toString().trim();
      expect(state(join(dir, 'is dir'))).toBe('dir');
      expect(state(`${join(dir, 'is dir')}/`)).toBe('dir');
      expect(state(join(dir, "it's a file"))).toBe('notdir');
      expect(state(join(dir, 'new $(id)'))).toBe('create');
      expect(state(join(dir, 'no such', 'x'))).toBe('noparent');
      // with make: a missing DST is made in the same command (and only that one)
      const make = (p: string) => spawnSync('/bin/sh', ['-c', destinationScript(p, true)]).stdout.toString().trim();
      expect(make(join(dir, 'new $(id)'))).toBe('created');
      expect(statSync(join(dir, 'new $(id)')).isDirectory()).toBe(true);
      expect(make(join(dir, 'new $(id)'))).toBe('dir');
      expect(make(join(dir, "it's a file"))).toBe('notdir');
      expect(make(join(dir, 'no such', 'x'))).toBe('noparent');
      expect(existsSync(join(dir, 'no such'))).toBe(false);
      // with a listing command: an existing DST is listed after its state line, a missing one is not
      const listed = (p: string) => spawnSync('/bin/sh', ['-c', destinationScript(p, true, "printf 'a\\0b\\0'")]).stdout.toString('latin1');
      expect(listed(join(dir, 'is dir'))).toBe('dir\na\0b\0');
      expect(listed(join(dir, 'new too'))).toBe('created\n');
      expect(listed(join(dir, "it's a file"))).toBe('notdir\n');
      // with echo: link-echo.ts's rounds first, each mark after a line read (EOF when nobody answers)
      const marks = `${ECHO_MARK}\n`.repeat(ECHO_ROUNDS);
      const echoed = (input?: string) => spawnSync('/bin/sh', ['-c', destinationScript(join(dir, 'is dir'), false, undefined, true)], input === undefined ? {} : { input }).stdout.toString();
      expect(echoed('\n'.repeat(ECHO_ROUNDS))).toBe(`${marks}dir\n`);
      expect(echoed()).toBe(`${marks}dir\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ssh options', () => {
  test('shared connections are added after the user words (ssh keeps the first value: the user wins)', () => {
    expect(sshArgv('ssh -p 2222 -o ControlMaster=no', '/tmp/c')).toEqual(['ssh', '-p', '2222', '-o', 'ControlMaster=no', ...controlOptions('/tmp/c')]);
    expect(sshArgv(undefined, undefined)).toEqual(['ssh', ...controlOptions(undefined)]);
    expect(controlOptions('/tmp/c')).toContain('ControlPath=/tmp/c/%C');
    expect(controlOptions(undefined).join(' ')).not.toContain('Control');
  });
  test('a remote shell that is not ssh is left alone', () => {
    expect(sshArgv('/usr/local/bin/my-rsh -x', '/tmp/c')).toEqual(['/usr/local/bin/my-rsh', '-x']);
    expect(rshForRsync('my-rsh', '/tmp/c')).toBe('my-rsh');
  });
  test('the rsh for rsync carries the same options as text', () => {
    expect(rshForRsync('ssh -p 22', '/tmp/c')).toBe(`ssh -p 22 ${controlOptions('/tmp/c').join(' ')}`);
    expect(rshForRsync(undefined, '/tmp/c')!.startsWith('ssh -o ')).toBe(true);
  });
});

describe('worker hosts', () => {
  test('host lists: commas, lines, comments, duplicates', () => {
    expect(parseWorkerList(['a,b', 'c\n# x\n d # e\n\nb'])).toEqual(['a', 'b', 'c', 'd']);
  });
  test('the worker rsync reads its list from stdin, without the coordinator rsh, marker first', () => {
    const argv = ['-aS', '--rsh=ssh -p 2', '--from0', '--files-from=/tmp/l/bucket-000001.list', '--stats', '/src/', '/dst/'];
    expect(workerRsyncArgs(argv, { listFile: '/tmp/l/bucket-000001.list', dropRsh: 'ssh -p 2', marker: '--log-file-format=M' })).toEqual([
      '--log-file-format=M',
      '-aS',
      '--from0',
      '--files-from=-',
      '--stats',
      '/src/',
      '/dst/',
    ]);
    // the user's own --rsh (for a DST remote from the worker) stays, even when it is the same text
    expect(workerRsyncArgs(['--rsh=ssh', '-a', '--rsh=ssh', '/s/', '/d/'], { dropRsh: 'ssh', marker: 'M' })).toEqual(['M', '--rsh=ssh', '-a', '/s/', '/d/']);
  });
  test('the kill pattern finds the marker but not the shell that runs pkill', () => {
    const { option, pattern } = markerOf('abc123', '7.2');
    expect(option).toBe('--log-file-format=multisync:abc123:7.2:');
    const re = new RegExp(pattern);
    expect(re.test(`rsync ${option} -a /s/ /d/`)).toBe(true);
    expect(re.test(`sh -c ${remoteKillCommand('TERM', pattern)}`)).toBe(false);
    expect(re.test('rsync --log-file-format=multisync:abc123:7.22: -a')).toBe(false);
    expect(remoteKillCommand('TERM', pattern)).toBe(
      `pkill -TERM -f '${pattern}'; pkill -CONT -f '${pattern}'; i=0; while pgrep -f '${pattern}' >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; true`,
    );
    expect(remoteKillCommand('STOP', pattern)).toBe(`pkill -STOP -f '${pattern}'; true`);
  });
  test('round-robin over live hosts with a free slot; -p is per host; dead hosts get nothing', () => {
    const events: string[] = [];
    const pool = new WorkerPool({ hosts: ['h1', 'h2', 'h3'], emit: (e) => events.push(e.type) });
    expect(pool.capacity(2)).toBe(6);
    const got = [1, 2, 3, 4, 5, 6, 7].map(() => pool.acquire(2)?.name ?? null);
    // acquire does not take the slot by itself: launch does; simulate it
    expect(got.slice(0, 3)).toEqual(['h1', 'h2', 'h3']);
    for (const h of pool.hosts) h.running = 2;
    expect(pool.acquire(2)).toBeNull();
    pool.hosts[1].running = 1;
    expect(pool.acquire(2)?.name).toBe('h2');
    const ok = { kind: 'ok' as const, exitCode: 0, meaning: 'success' };
    const lost = { kind: 'retryable' as const, exitCode: 255, meaning: 'ssh', hostLost: 'Connection refused' };
    expect(pool.release(pool.hosts[0], lost)).toBe('Connection refused');
    expect(pool.hosts[0].dead).toBe(false);
    expect(pool.release(pool.hosts[0], lost)).toBe('Connection refused');
    expect(pool.hosts[0].dead).toBe(true);
    expect(events).toEqual(['worker-down']);
    expect(pool.capacity(2)).toBe(4);
    expect(pool.release(pool.hosts[1], ok)).toBeNull();
    expect(pool.deadReason()).toBeNull();
    pool.hosts[1].dead = pool.hosts[2].dead = true;
    expect(pool.deadReason()).toMatch(/every worker host is unreachable: h1 \(Connection refused\)/);
  });
});

describe("the far end's daemon script (daemon-script.ts), run by a real sh", () => {
  const root = process.getuid?.() === 0;
  const haveRsync = spawnSync('rsync', ['--version']).status === 0;
  const tmp = mkdtempSync(join(tmpdir(), 'multisync-daemon-script-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const dirs = () => readdirSync(tmp).filter((n) => n.startsWith('multisync-daemon.'));
  const run = (args: string[]) => ['-c', DAEMON_SCRIPT, 'multisync-daemon', 'rsync', 'root', ...args];

  function startScript(secret: string, ports?: number[]) {
    const child = spawn('/bin/sh', run((ports ?? pickPorts()).map(String)), { env: { ...process.env, TMPDIR: tmp }, stdio: ['pipe', 'inherit', 'pipe'] });
    child.stdin.write(`${secret}\n`);
    // (the answer is on stderr: stdout is DST's listing where the pre-flight's session starts it)
    const answer = new Promise<string>((resolve) => {
      let out = '';
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
    });
    const gone = new Promise<void>((resolve) => child.on('close', () => resolve()));
    return { answer, gone, stop: () => child.stdin.end(), kill: () => child.kill('SIGKILL') };
  }

  /** Whether a daemon on `port` lets `secret` list its module. */
  const lets = (port: number, secret: string) => spawnSync('rsync', ['--list-only', '-d', `rsync://root@127.0.0.1:${port}/${DAEMON_MODULE}/`], { env: { ...process.env, RSYNC_PASSWORD: secret } }).status;

  test.if(root && haveRsync)('a daemon for this run on a free port, its secret asked for, gone with its directory when stdin closes', async () => {
    // the first port is taken (by a daemon of the same script), so the second is used
    const first = startScript('s3cret');
    const a1 = await first.answer;
    expect(a1).toMatch(/^multisync-daemon: port \d+ \//);
    const taken = parseAnswer(a1)!.port;
    const second = startScript('other', [taken, taken + 1]);
    const a2 = parseAnswer(await second.answer)!;
    expect(a2.port).toBe(taken + 1);
    expect(dirs().length).toBe(2);
    // the right secret is let in, a wrong one is not
    expect(lets(a2.port, 'other')).toBe(0);
    expect(lets(a2.port, 's3cret')).toBe(5);
    first.stop();
    second.stop();
    await Promise.all([first.gone, second.gone]);
    expect(dirs()).toEqual([]);
    expect(lets(a2.port, 'other')).not.toBe(0); // nobody listens any more
  });

  test.if(root && haveRsync)('a shell killed outright (no trap runs) takes its daemon and directory along', async () => {
    const s = startScript('k');
    const port = parseAnswer(await s.answer)!.port;
    expect(lets(port, 'k')).toBe(0);
    s.kill();
    await s.gone;
    await waitFor(() => lets(port, 'k') !== 0 && dirs().length === 0, 'the watchdog stopped the daemon', 15_000);
  }, 20_000);

  // The push's pre-flight session starts the daemon itself (ssh-preflight.ts): DST's state, the
  // answer on stderr, the listing and its end mark; its output then ends while the daemon runs
  // (no process of it keeps a copy of stdout), and closing stdin ends it all.
  test.if(root && haveRsync)("DST's check with the daemon in the same script: state, answer, listing and end mark; the output ends while the daemon runs", async () => {
    const dst = join(tmp, 'dst');
    mkdirSync(dst, { recursive: true });
    writeFileSync(join(dst, 'a'), 'a');
    const script = destinationScript(dst, true, findCommand(dst, false, DEST_FORMAT), false, { call: `msd rsync root ${pickPorts().join(' ')}`, maxList: 1 << 20 });
    const child = spawn('/bin/sh', ['-c', script], { env: { ...process.env, TMPDIR: tmp }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write('s3cret\n');
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const ended = new Promise<void>((resolve) => child.stdout.on('end', () => resolve()));
    const gone = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await ended;
    expect(child.exitCode).toBeNull(); // (it runs on, for the daemon)
    const bytes = Buffer.concat(out);
    expect(bytes.subarray(0, 4).toString()).toBe('dir\n');
    expect(endMarked(bytes.subarray(-TAIL))).toBe(true);
    const listed = listedEnd(bytes.subarray(4))!;
    expect(listed.status).toBe(0);
    expect([...parseListing(listed.records)!.keys()].sort()).toEqual(['', 'a']);
    const port = parseAnswer(err.trim())!.port;
    expect(lets(port, 's3cret')).toBe(0);
    child.stdin.end();
    await gone;
    expect(dirs()).toEqual([]);
  });

  test('the end mark of a listing followed by more: only where a record ended, with its status', () => {
    const rec = 'f 1 2.0 644 0 0 1\0name\0\0';
    const table: Array<[string, { records: string; status: number } | null]> = [
      [`${rec}multisync-end 0\0`, { records: rec, status: 0 }],
      [`${rec}multisync-end 141\0`, { records: rec, status: 141 }],
      ['multisync-end 0\0', { records: '', status: 0 }],
      [rec, null], // (cut off before the mark)
      [`${rec}multisync-end 0`, null],
      [`${rec}xmultisync-end 0\0`, null], // (inside a field: not a record's end)
    ];
    for (const [data, want] of table) {
      const got = listedEnd(Buffer.from(data, 'latin1'));
      expect(got && { records: got.records.toString('latin1'), status: got.status }).toEqual(want);
    }
    // a link target that reads like the mark, at the end of a cut-off listing: taken, it leaves its record short
    const cut = listedEnd(Buffer.from('f 1 2.0 644 0 0 1\0name\0multisync-end 0\0', 'latin1'))!;
    expect(parseListing(cut.records)).toBeNull();
    expect(endMarked(Buffer.from('created\nmultisync-end 0\0'))).toBe(true);
    expect(endMarked(Buffer.from(`${rec}multisync-end 0\0`, 'latin1'))).toBe(true);
    expect(endMarked(Buffer.from(`${rec}multisync-end 0`, 'latin1'))).toBe(false);
    expect(endMarked(Buffer.from('xmultisync-end 0\0'))).toBe(false);
  });

  test('a far user who is not root gets a no, and nothing is made', () => {
    // (an `id` on PATH that says 1000)
    const bin = join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'id'), '#!/bin/sh\necho 1000\n', { mode: 0o755 });
    const r = spawnSync('/bin/sh', run(['40000']), { input: 'x\n', encoding: 'utf8', env: { ...process.env, TMPDIR: tmp, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.stderr).toBe('multisync-daemon: no root\n');
    expect(r.stdout).toBe('');
    expect(dirs()).toEqual([]);
  });
});
