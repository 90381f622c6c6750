// Many rsyncs to one ssh host, within sshd's limits: it refuses connections while MaxStartups
// others are not yet authenticated (default 10:30:100), so a run's slots set up their connections
// at most CONNECTING_MAX at a time (src/engine/connect-gate.ts); and it refuses sessions beyond
// MaxSessions (default 10) on one connection, so a worker host gets a shared connection per
// SESSIONS_PER_CONNECTION buckets, each new one set up alone (src/engine/worker-connections.ts).
// And the pre-flight asks the worker hosts all at once. A throwaway sshd on 127.0.0.1 (sshd.ts)
// with MaxStartups 9 and MaxSessions 10, whose log says what it refused; real rsync, trees compared.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONNECTING_MAX } from '../../src/engine/connect-gate.ts';
import { makeSmallFilesTree } from '../../src/engine/small-files-tree.ts';
import { jsonEvents, runCli, summaryOf, tempDir } from './helpers.ts';
import { HAVE_SSHD, startSshLab, type SshLab } from './sshd.ts';
import { expectSameTrees } from '../trees.ts';

const tmp = tempDir();
const src = join(tmp.path, 'src');
const H = '127.0.0.1';
let lab: SshLab;

const suite = HAVE_SSHD ? describe : describe.skip;

beforeAll(async () => {
  if (!HAVE_SSHD) return;
  // (one pending connection to spare over the gate's, for the moment between a client's socket and sshd's count)
  lab = await startSshLab([H], { maxStartups: String(CONNECTING_MAX + 1), maxSessions: '10' });
  await makeSmallFilesTree(src, { files: 400, dirs: 20, minSize: 10, maxSize: 2000, seed: 5 });
});
afterAll(() => {
  lab?.cleanup();
  tmp.cleanup();
});

suite('many rsyncs to one ssh host', () => {
  test('-p 20 with no retries: no connection refused, every bucket lands, identical copy', async () => {
    const dst = join(tmp.path, 'dst');
    const r = await runCli(['--json', '-e', lab.rsh, '-p', '20', '-f', '10', '--retries', '0', `${src}/`, `${H}:${dst}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // (more buckets than slots: every slot sets its connection up)
    expect(jsonEvents(r.stdout).filter((e) => e.type === 'bucket-done').length).toBeGreaterThan(30);
    expect(summaryOf(r.stdout)).toMatchObject({ status: 'ok', failedBuckets: 0 });
    await expectSameTrees(src, dst);
    expect(lab.hosts[0].log()).not.toMatch(/MaxStartups/);
  });

  test('-p 20 on one worker host with no retries: no session or connection refused, every bucket lands, identical copy', async () => {
    const dst = join(tmp.path, 'by-worker');
    const r = await runCli(['--json', '-e', lab.rsh, '-p', '20', '-f', '10', '--retries', '0', '--workers', H, `${src}/`, dst]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonEvents(r.stdout).filter((e) => e.type === 'bucket-done').length).toBeGreaterThan(30);
    expect(summaryOf(r.stdout)).toMatchObject({ status: 'ok', failedBuckets: 0 });
    await expectSameTrees(src, dst);
    // (a refused session falls back to a connection of its own, when MaxStartups lets it)
    expect(lab.hosts[0].log()).not.toMatch(/no more sessions|MaxStartups/);
  });

  test('the pre-flight asks every worker host at once', async () => {
    // an ssh that holds each worker check until all three have started (or 10 s went by)
    const bin = join(tmp.path, 'bin');
    mkdirSync(bin);
    const started = join(tmp.path, 'started');
    writeFileSync(
      join(bin, 'ssh'),
      [
        '#!/bin/sh',
        'case "$*" in *"rsync --version"*)',
        `  echo x >> ${started}; i=0`,
        `  while [ "$(wc -l < ${started})" -lt 3 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`,
        `  [ $i -lt 200 ] || echo alone >> ${started}.held ;;`,
        'esac',
        'exec /usr/bin/ssh "$@"',
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'ssh'), 0o755);
    const dst = join(tmp.path, 'by-three');
    const rsh = lab.rsh.replace(/^ssh /, `${join(bin, 'ssh')} `);
    const r = await runCli(['--json', '-e', rsh, '--workers', `${H},root@${H},localhost`, `${src}/`, dst]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(`${started}.held`)).toBe(false);
    await expectSameTrees(src, dst);
  });
});
