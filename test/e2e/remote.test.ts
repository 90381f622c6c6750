// Remote DST (push), remote SRC (pull), an rsync daemon DST and worker hosts, end to end: the
// real CLI, real rsync and ssh against throwaway sshds on 127.0.0.1 and 127.0.0.2 (sshd.ts),
// trees compared entry by entry.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeOddTree, makeSmallFilesTree } from '../../src/engine/odd-tree.ts';
import { GCM_OPTION, hasAesInstructions } from '../../src/engine/ssh-cipher.ts';
import { expectAsOneRsync, expectNoOp, jsonEvents, processesMatching, rsyncPids, runCli, startCli, tempDir, waitFor } from './helpers.ts';
import { freePort, HAVE_SSHD, loggingSsh, startSshLab, type SshLab } from './sshd.ts';
import { expectSameTrees, rsyncRef } from '../trees.ts';

const tmp = tempDir();
const odd = join(tmp.path, 'odd');
const small = join(tmp.path, 'small');
const big = join(tmp.path, 'big');
let lab: SshLab;
const H1 = '127.0.0.1';
const H2 = '127.0.0.2';
/** rsync's temporary file for a name: `.name.XXXXXX`. */
const TEMP = /^\..+\.[A-Za-z0-9]{6}$/;

const suite = HAVE_SSHD ? describe : describe.skip;
const name = (s: string) => (HAVE_SSHD ? s : `${s} (skipped: /usr/sbin/sshd is not installed)`);

beforeAll(async () => {
  if (!HAVE_SSHD) return;
  lab = await startSshLab([H1, H2]);
  await makeOddTree(odd, { sparseSize: 4 * 1024 * 1024, deep: 12 });
  await makeSmallFilesTree(small, { files: 600, dirs: 12, minSize: 10, maxSize: 3000, seed: 11 });
  // files big enough that, with --bwlimit, a run lasts long enough to be interrupted
  mkdirSync(big);
  for (let i = 0; i < 48; i++) writeFileSync(join(big, `f${String(i).padStart(2, '0')}`), Buffer.alloc(200 * 1024, i));
});
afterAll(() => {
  lab?.cleanup();
  tmp.cleanup();
});

/** A process's argv ([] once it is gone). */
function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
  } catch {
    return [];
  }
}

suite(name('remote destination (push)'), () => {
  const dst = () => join(tmp.path, `dst with space 'q" $x`);

  test('odd-name tree to host:DST whose path holds a space and quotes: identical copy', async () => {
    const r = await runCli(['--json', '-e', lab.rsh, '-p', '3', '-f', '4', `${odd}/`, `${H1}:${dst()}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = jsonEvents(r.stdout);
    expect(ev.filter((e) => e.type === 'bucket-done').length).toBeGreaterThan(5);
    expect(ev.find((e) => e.type === 'finalize')).toMatchObject({ ok: true });
    await expectSameTrees(odd, dst());
    // the slots' shared connections (each opened by its slot's first rsync) all end with the run
    await waitFor(() => processesMatching('multisync-ssh-').length === 0, 'no ssh master left');
  });

  test('kill -9 mid-transfer to host:DST, the far rsyncs too (a crash): the same command completes, identical, temp files gone', async () => {
    const d = join(tmp.path, 'k9-remote');
    // files that take half a second each: a temp file is there whenever an rsync runs
    const from = join(tmp.path, 'k9-src');
    mkdirSync(from);
    for (let i = 0; i < 8; i++) writeFileSync(join(from, `m${i}`), Buffer.alloc(1024 * 1024, i + 1));
    const args = ['--json', '-e', lab.rsh, '-p', '2', '-f', '1', '-r', '-a --bwlimit=2000', `${from}/`, `${H1}:${d}`];
    const first = startCli(args);
    const temps = () => readdirSync(d).filter((n) => TEMP.test(n));
    await waitFor(() => jsonEvents(first.lines).filter((e) => e.type === 'bucket-done').length >= 2 && temps().length === 2, 'two buckets done and two files half written');
    // every rsync of the run, on both ends, dies at once: none can remove its temp file (an
    // ssh host that goes down, the OOM killer); a killed multisync alone would not do, since the
    // far rsyncs then see their connection close and clean up after themselves
    first.proc.kill('SIGKILL');
    // (the far rsyncs: a push's buckets reach the far end's daemon, remote-daemon.ts, whose
    // children name its config, not DST; all are stopped first, so that none sees another's end
    // and cleans up before it is killed)
    const all = [...rsyncPids('multisync-daemon.'), ...rsyncPids(d)];
    const signal = (sig: NodeJS.Signals) => {
      for (const pid of all) {
        try {
          process.kill(pid, sig);
        } catch {} // (one that ended meanwhile)
      }
    };
    signal('SIGSTOP');
    signal('SIGKILL');
    await first.done();
    await waitFor(() => rsyncPids(d).length === 0, 'every rsync of the run gone');
    const left = temps();
    expect(left.length).toBeGreaterThan(0);
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(jsonEvents(again.stdout).find((e) => e.type === 'resume')?.skippedBuckets).toBeGreaterThanOrEqual(2);
    expect(temps()).toEqual([]);
    await expectSameTrees(from, d);
  });

  test('--delete on a remote DST removes what SRC lacks, and nothing else', async () => {
    writeFileSync(join(dst(), 'extra file'), 'not in SRC');
    mkdirSync(join(dst(), 'extra dir'));
    const r = await runCli(['--json', '--delete', '-e', lab.rsh, '-p', '2', `${odd}/`, `${H1}:${dst()}`]);
    expect(r.code).toBe(0);
    const deleted = jsonEvents(r.stdout).filter((e) => e.type === 'delete').map((e) => e.path);
    expect(deleted.sort()).toEqual(['extra dir/', 'extra file']);
    await expectSameTrees(odd, dst());
  });

  /** A tree whose buckets take a while (--bwlimit), with directories whose mtimes the pass must set. */
  const slowTree = (name: string) => {
    const from = join(tmp.path, name);
    for (let d = 0; d < 3; d++) {
      mkdirSync(join(from, `d${d}`, 'sub'), { recursive: true });
      for (let i = 0; i < 2; i++) writeFileSync(join(from, `d${d}`, 'sub', `f${i}`), Buffer.alloc(300 * 1024, d * 2 + i + 1));
      utimesSync(join(from, `d${d}`, 'sub'), 1_000_000_000 + d, 1_000_000_000 + d);
      utimesSync(join(from, `d${d}`), 1_100_000_000 + d, 1_100_000_000 + d);
    }
    utimesSync(from, 1_200_000_000, 1_200_000_000);
    return from;
  };
  /** The directory pass's rsync, started ahead and waiting for its list on stdin (warm-pass.ts). */
  const localRsyncs = (d: string) => rsyncPids(d).map((pid) => ({ pid, argv: cmdline(pid) })).filter((p) => !p.argv.includes('--server'));
  const warmPass = (d: string) => localRsyncs(d).filter((p) => p.argv.includes('--files-from=-'));
  const bucketRsyncs = (d: string) => localRsyncs(d).filter((p) => !p.argv.includes('--files-from=-'));

  test('the directory pass over ssh is started ahead: it waits, connected, while the last buckets run, then sets every directory', async () => {
    const from = slowTree('warm-src');
    const d = join(tmp.path, 'warm-dst');
    const cli = startCli(['--json', '-e', lab.rsh, '-p', '2', '-f', '2', '-r', '-a --bwlimit=1000', `${from}/`, `${H1}:${d}`]);
    await waitFor(() => warmPass(d).length > 0 && bucketRsyncs(d).length > 0, 'the pass waiting while a bucket still runs');
    expect(await cli.done()).toBe(0);
    expect(jsonEvents(cli.lines).find((e) => e.type === 'finalize')).toMatchObject({ ok: true });
    await expectSameTrees(from, d);
    expect(rsyncPids(d)).toEqual([]);
  });

  // (a pull's pass reaches the far end too; a local one only has its own start to get behind it)
  test.each(['pull', 'local'] as const)('the directory pass of a %s copy is started ahead as well, and sets every directory', async (way) => {
    const from = slowTree(`warm-${way}-src`);
    const d = join(tmp.path, `warm-${way}-dst`);
    const src = way === 'pull' ? `${H1}:${from}/` : `${from}/`;
    const cli = startCli(['--json', '-e', lab.rsh, '-p', '2', '-f', '2', '-r', '-a --bwlimit=1000', src, d]);
    await waitFor(() => warmPass(d).length > 0 && bucketRsyncs(d).length > 0, 'the pass waiting while a bucket still runs');
    expect(await cli.done()).toBe(0);
    expect(jsonEvents(cli.lines).find((e) => e.type === 'finalize')).toMatchObject({ ok: true });
    await expectSameTrees(from, d);
    expect(rsyncPids(d)).toEqual([]);
  });

  test('Ctrl-C while the directory pass waits ahead: it is stopped with the buckets, nothing of the run is left running', async () => {
    const from = slowTree('warm-cancel-src');
    const d = join(tmp.path, 'warm-cancel-dst');
    const cli = startCli(['--json', '-e', lab.rsh, '-p', '2', '-f', '2', '-r', '-a --bwlimit=300', `${from}/`, `${H1}:${d}`]);
    await waitFor(() => warmPass(d).length > 0, 'the pass waiting ahead');
    cli.proc.kill('SIGINT');
    expect(await cli.done()).toBe(130);
    expect(jsonEvents(cli.lines).some((e) => e.type === 'finalize')).toBe(false);
    await waitFor(() => rsyncPids(d).length === 0, 'no rsync of the run left');
  });

  test('a failed bucket blocks the directory pass: the one waiting ahead is stopped unused, nothing of the run is left running', async () => {
    const from = slowTree('warm-blocked-src');
    writeFileSync(join(from, 'x'), 'a file in SRC');
    const d = join(tmp.path, 'warm-blocked-dst');
    // DST has a non-empty directory where SRC has a file: rsync (no --delete) cannot make way for it
    mkdirSync(join(d, 'x'), { recursive: true });
    writeFileSync(join(d, 'x', 'keep'), 'kept');
    const cli = startCli(['--json', '-e', lab.rsh, '-p', '2', '-f', '2', '-r', '-a --bwlimit=1000', `${from}/`, `${H1}:${d}`]);
    await waitFor(() => warmPass(d).length > 0, 'the pass waiting ahead');
    expect(await cli.done()).toBe(1);
    const ev = jsonEvents(cli.lines);
    expect(ev.some((e) => e.type === 'bucket-failed')).toBe(true);
    expect(ev.some((e) => e.type === 'finalize')).toBe(false);
    expect(readFileSync(join(d, 'x', 'keep'), 'utf8')).toBe('kept');
    // the pass's rsync was stopped before it read a name (with its ssh: an exit other than 0)
    const kept = ev.find((e) => e.type === 'summary')?.bucketDir as string;
    expect(readFileSync(join(kept, 'dirs-0.log'), 'utf8')).toMatch(/--files-from=-[\s\S]*\n# exit (?!0\b)\S+.*\n# \(started ahead and not needed/);
    await waitFor(() => rsyncPids(d).length === 0, 'no rsync of the run left');
  });

  test('a pass started ahead whose connection dies while it waits is run again: every directory set', async () => {
    const from = slowTree('warm-dies-src');
    const d = join(tmp.path, 'warm-dies-dst');
    const cli = startCli(['--json', '-k', '-e', lab.rsh, '-p', '2', '-f', '2', '-r', '-a --bwlimit=1000', `${from}/`, `${H1}:${d}`]);
    await waitFor(() => warmPass(d).length > 0 && bucketRsyncs(d).length > 0, 'the pass waiting while a bucket still runs');
    // its remote shell (ssh, a child of the waiting rsync) dies: a connection lost while it waits
    const ssh = Bun.spawnSync(['pgrep', '-P', String(warmPass(d)[0].pid)]).stdout.toString().split('\n').filter(Boolean).map(Number);
    expect(ssh.length).toBeGreaterThan(0);
    for (const pid of ssh) process.kill(pid, 'SIGKILL');
    expect(await cli.done()).toBe(0);
    const ev = jsonEvents(cli.lines);
    expect(ev.find((e) => e.type === 'finalize')).toMatchObject({ ok: true });
    await expectSameTrees(from, d);
    // its log: the one started ahead, then the pass run again, which did the work
    const log = readFileSync(join(ev.find((e) => e.type === 'summary')?.bucketDir as string, 'dirs-0.log'), 'utf8');
    expect(log.match(/^\$ /gm)?.length).toBe(2);
    expect(log).toMatch(/--files-from=-[\s\S]*\n# exit (?!0\b)[\s\S]*--files-from=\/[\s\S]*\n# exit 0:/);
  });

  test('`src` (no slash) into a remote DST that does not exist yet (its parent does)', async () => {
    const d = join(tmp.path, 'new remote dst');
    const r = await runCli(['-e', lab.rsh, '-p', '2', '-f', '50', small, `${H1}:${d}`]);
    expect(r.code).toBe(0);
    await expectSameTrees(small, join(d, 'small'));
  });

  test('the data connections ask for AES-GCM first where the CPU has AES instructions, unless -e names ciphers', async () => {
    // an `ssh` that logs its arguments (to $SSH_ARGS_LOG), then runs the real one
    const log = join(tmp.path, 'ssh-args.log');
    const ssh = loggingSsh(join(tmp.path, 'logging-bin'));
    const rsh = lab.rsh.replace(/^ssh /, `${ssh} `);
    const connections = () => readFileSync(log, 'utf8').split('\n').filter((l) => l && !l.includes(' -G ') && !l.includes(' -O '));
    const aes = hasAesInstructions(readFileSync('/proc/cpuinfo', 'latin1'));

    const d1 = join(tmp.path, 'cipher-default');
    const r1 = await runCli(['-e', rsh, '-p', '2', '-f', '100', `${small}/`, `${H1}:${d1}`], { env: { MULTISYNC_SSH_CIPHER: '', SSH_ARGS_LOG: log } });
    expect(r1.code).toBe(0);
    await expectSameTrees(small, d1);
    const first = connections();
    expect(first.length).toBeGreaterThan(2);
    for (const l of first) expect(l.includes(GCM_OPTION)).toBe(aes);

    writeFileSync(log, '');
    const d2 = join(tmp.path, 'cipher-chosen');
    const r2 = await runCli(['-e', `${rsh} -c chacha20-poly1305@openssh.com`, '-p', '2', '-f', '100', `${small}/`, `${H1}:${d2}`], { env: { MULTISYNC_SSH_CIPHER: '', SSH_ARGS_LOG: log } });
    expect(r2.code).toBe(0);
    await expectSameTrees(small, d2);
    const second = connections();
    expect(second.length).toBeGreaterThan(2);
    for (const l of second) expect(l).not.toContain('Ciphers=');
  });
});

suite(name('remote source (pull)'), () => {
  test('host:SRC/ crawled on the remote host, odd names and hard links intact (-H, -x)', async () => {
    const d = join(tmp.path, 'pulled');
    const r = await runCli(['--json', '-e', lab.rsh, '-p', '3', '-f', '4', '-x', '-r', '-aSH --numeric-ids', `${H1}:${odd}/`, d]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const done = jsonEvents(r.stdout).find((e) => e.type === 'crawl-done')!;
    expect(done.files).toBeGreaterThan(40);
    await expectSameTrees(odd, d, { hardlinks: true });
    // a re-run checks the listing against DST: hostile names, symlinks and modes come out unchanged
    const again = await runCli(['--json', '-e', lab.rsh, '-p', '3', '-f', '4', '-x', '-r', '-aSH --numeric-ids', `${H1}:${odd}/`, d]);
    expect(again.code).toBe(0);
    const sum = jsonEvents(again.stdout).find((e) => e.type === 'summary')!;
    expect(sum.filesTransferred).toBe(0);
    expect(sum.filesUnchanged).toBeGreaterThan(sum.filesTotal / 2);
    await expectSameTrees(odd, d, { hardlinks: true });
  });

  test('host:SRC (no slash) and --exclude: the same result as one plain rsync', async () => {
    const d = join(tmp.path, 'pulled-excl');
    const ref = join(tmp.path, 'pulled-excl-ref');
    const r = await runCli(['-e', lab.rsh, '-p', '2', '-f', '30', '--exclude', '*.dat', '--exclude', 'd03/', `${H1}:${small}`, d]);
    expect(r.code).toBe(0);
    const plain = spawnSync('rsync', ['-aS', '--numeric-ids', '--exclude=*.dat', '--exclude=d03/', small, ref]);
    expect(plain.status).toBe(0);
    await expectSameTrees(join(ref, 'small'), join(d, 'small'));
  });

  test('a no-op re-run of a pull starts no rsync and no directory pass (its listing is checked against DST)', async () => {
    const d = join(tmp.path, 'pulled-again');
    expect((await runCli(['-e', lab.rsh, '-p', '3', '-f', '40', `${H1}:${small}/`, d])).code).toBe(0);
    const again = await runCli(['--json', '-e', lab.rsh, '-p', '3', '-f', '40', `${H1}:${small}/`, d]);
    expect(again.code).toBe(0);
    await expectNoOp(again.stdout, small, d, 500);
  });

  test('a re-run of a pull after changes on both ends: the same result as one rsync', async () => {
    const s = join(tmp.path, 'pull-src');
    const d = join(tmp.path, 'pull-dst');
    const ref = join(tmp.path, 'pull-ref');
    rsyncRef(['-a', `${small}/`, `${s}/`]);
    expect((await runCli(['-e', lab.rsh, '-p', '3', '-f', '40', `${H1}:${s}/`, d])).code).toBe(0);
    // SRC: a file rewritten (same size, other mtime), one added; DST: a file's mode, a directory's mtime
    const all = (readdirSync(s, { recursive: true }) as string[]).sort();
    const files = all.filter((p) => statSync(join(s, p)).isFile());
    const dirs = all.filter((p) => statSync(join(s, p)).isDirectory());
    writeFileSync(join(s, files[0]), readFileSync(join(s, files[0])).reverse());
    utimesSync(join(s, files[0]), 1_700_000_000, 1_700_000_000);
    writeFileSync(join(s, dirs[0], 'added.txt'), 'new');
    chmodSync(join(d, files[files.length - 1]), 0o600);
    utimesSync(join(d, dirs[dirs.length - 1]), 1_000_000_000, 1_000_000_000);
    rsyncRef(['-a', `${d}/`, `${ref}/`]);
    const r = await runCli(['--json', '-e', lab.rsh, '-p', '3', '-f', '40', `${H1}:${s}/`, d]);
    expect(r.code).toBe(0);
    await expectAsOneRsync(r.stdout, s, ref, d, 500);
  });
});

suite(name('pre-flight: exit 2, one line, nothing written'), () => {
  const never = () => join(tmp.path, 'never');
  const cases: Array<[string, () => string[], RegExp]> = [
    ['unreachable DST host', () => ['-e', lab.rsh, `${small}/`, `127.0.0.3:${never()}`], /cannot reach host 127\.0\.0\.3 over ssh: .*(refused|timed out|unreachable)/i],
    ["remote DST's parent missing", () => ['-e', lab.rsh, `${small}/`, `${H1}:${join(never(), 'x')}`], /parent directory does not exist on 127\.0\.0\.1/],
    ['remote DST is a file', () => ['-e', lab.rsh, `${small}/`, `${H1}:${join(small, readdirSync(small).find((n) => n.includes('.'))!)}`], /exists and is not a directory/],
    ['remote SRC missing', () => ['-e', lab.rsh, `${H1}:${join(tmp.path, 'nope')}/`, never()], /source not found/],
    ['unreachable SRC host', () => ['-e', lab.rsh, `127.0.0.3:${small}/`, never()], /cannot reach host 127\.0\.0\.3/],
    ['remote SRC/ is a file', () => ['-e', lab.rsh, `${H1}:${join(small, readdirSync(small).find((n) => n.includes('.'))!)}/`, never()], /is not a directory/],
    ['SRC and DST both remote', () => ['-e', lab.rsh, `${H1}:${small}/`, `${H2}:${never()}`], /both be remote/],
    ['host read as an ssh option', () => ['-e', lab.rsh, '--', `${small}/`, `-oProxyCommand=x:${never()}`], /starts with '-'/],
    ['unreachable worker', () => ['-e', lab.rsh, '--workers', `${H1},127.0.0.3`, `${small}/`, never()], /cannot reach worker host 127\.0\.0\.3/],
    ['worker host read as an ssh option', () => ['-e', lab.rsh, '--workers', '-oProxyCommand=x', `${small}/`, never()], /starts with '-'/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const r = await runCli(args());
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^multisync: /);
      expect(lines[0]).toMatch(message);
      expect(existsSync(never())).toBe(false);
    });
  }
});

suite(name('worker hosts'), () => {
  test('two workers both run buckets; bucket-done names the worker; identical copy', async () => {
    const d = join(tmp.path, 'by-workers');
    const r = await runCli(['--json', '-e', lab.rsh, '-p', '2', '-f', '20', '--workers', `${H1},${H2}`, `${small}/`, d]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const done = jsonEvents(r.stdout).filter((e) => e.type === 'bucket-done');
    expect(done.length).toBe(30);
    expect(new Set(done.map((e) => e.worker))).toEqual(new Set([H1, H2]));
    await expectSameTrees(small, d);
  });

  test('--workers-file, odd names, and a DST that is remote from the worker', async () => {
    const file = join(tmp.path, 'workers.txt');
    writeFileSync(file, `# the worker\n${H2}\n`);
    const d = join(tmp.path, 'via worker to remote');
    // the worker's own rsync reaches DST (on 127.0.0.1) with its own remote shell: -r --rsh
    const r = await runCli(['--json', '-e', lab.rsh, '-p', '2', '-f', '5', '--workers-file', file, '-r', `-aS --numeric-ids --rsh='${lab.rsh}'`, `${odd}/`, `${H1}:${d}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const done = jsonEvents(r.stdout).filter((e) => e.type === 'bucket-done');
    expect(new Set(done.map((e) => e.worker))).toEqual(new Set([H2]));
    await expectSameTrees(odd, d);
  });

  test('Ctrl-C stops the remote rsyncs on the workers too', async () => {
    const d = join(tmp.path, 'interrupted-workers');
    const cli = startCli(['--json', '-e', lab.rsh, '-p', '2', '-f', '2', '-r', '-a --bwlimit=300', '--workers', `${H1},${H2}`, `${big}/`, d]);
    await waitFor(() => rsyncPids(d).length >= 4, 'remote rsyncs on both workers');
    cli.proc.kill('SIGINT');
    expect(await cli.done()).toBe(130);
    expect(rsyncPids(d)).toEqual([]);
  });

  // last: it stops a host
  test('a worker whose sshd dies mid-run: its buckets are requeued on the other, the copy is complete', async () => {
    const d = join(tmp.path, 'host-dies');
    const cli = startCli(['--json', '-e', lab.rsh, '-p', '2', '-f', '2', '-r', '-a --bwlimit=2000', '--workers', `${H1},${H2}`, `${big}/`, d]);
    await waitFor(() => jsonEvents(cli.lines).some((e) => e.type === 'bucket-done' && e.worker === H2), `a bucket done on ${H2}`);
    lab.hosts[1].stop();
    const code = await cli.done();
    const ev = jsonEvents(cli.lines);
    expect(cli.stderr).toBe('');
    expect(code).toBe(0);
    expect(ev.find((e) => e.type === 'worker-down')).toMatchObject({ worker: H2 });
    expect(ev.filter((e) => e.type === 'bucket-requeued').length).toBeGreaterThanOrEqual(1);
    const done = ev.filter((e) => e.type === 'bucket-done');
    expect(done.length).toBe(24);
    expect(done.filter((e) => e.worker === H1).length).toBeGreaterThan(done.filter((e) => e.worker === H2).length);
    expect(ev[ev.length - 1]).toMatchObject({ type: 'summary', status: 'ok', failedBuckets: 0 });
    // the dead host's rsyncs lost their connection; they stop at their next write (and clean up)
    await waitFor(() => rsyncPids(d).length === 0, 'the orphaned rsyncs of the stopped host to end');
    await expectSameTrees(big, d);
  });
});

// the daemon chroots into its module (so absolute symlinks keep their leading '/'): that needs root
const asRoot = process.getuid?.() === 0;
(asRoot ? describe : describe.skip)(asRoot ? 'rsync daemon destination' : 'rsync daemon destination (skipped: needs root for the daemon chroot)', () => {
  test('host::module/path (rsync:// URL with a port): odd-name tree copied exactly', async () => {
    const dir = join(tmp.path, 'daemon');
    const module = join(dir, 'module');
    mkdirSync(module, { recursive: true });
    const conf = join(dir, 'rsyncd.conf');
    writeFileSync(conf, `pid file = ${join(dir, 'rsyncd.pid')}\nuse chroot = yes\n[mod]\n  path = ${module}\n  read only = no\n  uid = 0\n  gid = 0\n  numeric ids = yes\n`);
    const port = await freePort([H1]);
    const daemon = spawn('rsync', ['--daemon', '--no-detach', `--config=${conf}`, `--port=${port}`, `--address=${H1}`], { stdio: 'ignore' });
    try {
      await waitFor(() => spawnSync('rsync', [`rsync://${H1}:${port}/`]).status === 0, 'the rsync daemon', 10_000);
      const bad = await runCli([`${odd}/`, `rsync://${H1}:${port}/nomodule/x`]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/no module 'nomodule'/);
      const r = await runCli(['-p', '3', '-f', '6', `${odd}/`, `rsync://${H1}:${port}/mod/sub dir`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await expectSameTrees(odd, join(module, 'sub dir'));
    } finally {
      daemon.kill('SIGTERM');
    }
  });
});
