import { describe, expect, test } from 'bun:test';
import { cpus } from 'node:os';
import { parseArgs } from '../../src/commands/parse-args.ts';
import { DEFAULT_RSYNC_OPTS, runConfig } from '../../src/commands/run-options.ts';
import { defaultProcesses } from '../../src/engine/config.ts';
import { UsageError } from '../../src/engine/errors.ts';

const config = (argv: string[], env: NodeJS.ProcessEnv = {}) => runConfig(parseArgs(argv), env);

function usageError(argv: string[]): UsageError {
  try {
    config(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error(`no error for ${JSON.stringify(argv)}`);
}

describe('runConfig errors', () => {
  test.each<[string[], RegExp]>([
    // -p
    [['-p', '0', 's', 'd'], /process count \(-p\) '0'/],
    [['-p', 'x', 's', 'd'], /process count \(-p\) 'x'/],
    [['-p', '-1', 's', 'd'], /process count \(-p\) '-1'/],
    [['-p', '2.5', 's', 'd'], /process count/],
    // an explicitly empty value (e.g. `-p "$UNSET"`) is an error, not the default
    [['--processes=', 's', 'd'], /process count \(-p\) ''/],
    [['-p', '', 's', 'd'], /process count \(-p\) ''/],
    [['-f', '', 's', 'd'], /entries per bucket \(-f\) ''/],
    [['--size=', 's', 'd'], /invalid size ''/],
    [['-p', '257', 's', 'd'], /at most 256/],
    // -f
    [['-f', '0', 's', 'd'], /entries per bucket \(-f\) '0'/],
    [['-f', '1.5', 's', 'd'], /entries per bucket/],
    [['-f', 'many', 's', 'd'], /entries per bucket/],
    // -s
    [['-s', '0', 's', 'd'], /invalid size '0'/],
    [['-s', '10Q', 's', 'd'], /invalid size '10Q'/],
    [['-s', '10KK', 's', 'd'], /invalid size/],
    [['-s', '-1G', 's', 'd'], /invalid size/],
    // --retries
    [['--retries', '-1', 's', 'd'], /invalid retry count '-1'/],
    [['--retries', '1000', 's', 'd'], /invalid retry count/],
    [['--retries', 'x', 's', 'd'], /invalid retry count/],
    [['--retries=', 's', 'd'], /invalid retry count ''/],
    [['--retries', '1.5', 's', 'd'], /invalid retry count/],
    // -e: rsync splits it into words; none is no remote shell, an open quote no command line
    [['-e', '', 's/', 'h:d'], /remote shell \(-e\) is empty/],
    [['-e', '  ', 's/', 'h:d'], /remote shell \(-e\) is empty/],
    [['-e', 'ssh -o "x', 's/', 'h:d'], /quote/i],
    // SRC / DST
    [[], /missing SRC and DST/],
    [['-p', '2'], /missing SRC and DST/],
    [['src/'], /missing DST/],
    [['src/', ''], /DST must not be empty/],
    [['', 'dst'], /SRC must not be empty/],
    [['a/', '', 'dst'], /SRC must not be empty/],
    // reserved rsync options
    [['-r', '--files-from=x', 's', 'd'], /--files-from=x is managed by multisync/],
    [['-r', '-a --files-from x', 's', 'd'], /--files-from is managed by multisync/],
    [['-r', '-a --from0', 's', 'd'], /--from0 is managed by multisync/],
    [['-r', '-a -0', 's', 'd'], /-0 is managed by multisync/],
    [['-r', '--include-from=list', 's', 'd'], /--include-from=list is managed/],
    // removing sources cannot be done per bucket
    [['-r', '-a --remove-source-files', 's', 'd'], /--remove-source-files\b.*not supported/],
    // unsplittable --rsync
    [['-r', '-a "--rsh=ssh', 's', 'd'], /unterminated/],
  ])('%p', (argv, message) => {
    const err = usageError(argv);
    expect(err.message).toMatch(message);
    expect(err.exitCode).toBe(2);
  });
});

describe('deletion options in --rsync never reach a per-bucket rsync', () => {
  // a --delete* given to every bucket's rsync would delete by bucket, not by tree: it must be
  // refused, or lifted out of the per-bucket options
  test.each(['--delete', '--delete-after', '--delete-excluded', '--delete-before', '--del'])('%p', (opt) => {
    let c: ReturnType<typeof config> | undefined;
    try {
      c = config(['-r', `-a ${opt}`, 's', 'd']);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toContain(opt);
      return;
    }
    expect(c.rsyncOpts).toContain('-a');
    expect(c.rsyncOpts.filter((o) => o.startsWith('--del'))).toEqual([]);
  });
});

describe('runConfig values', () => {
  test('defaults', () => {
    // toMatchObject: features may add fields; these must keep their values
    expect(config(['src/', 'dst'])).toMatchObject({
      sources: [{ arg: 'src/', base: 'src/', prefix: '' }],
      destination: 'dst',
      processes: defaultProcesses(cpus().length),
      maxFiles: 1000,
      maxBytes: 1024 ** 3,
      rsyncOpts: ['-aS', '--numeric-ids'],
      rsh: undefined,
      retries: 2,
      backoffMs: 1000,
      dryRun: false,
      bucketDir: undefined,
      keep: false,
      rsyncPath: 'rsync',
    });
    expect(DEFAULT_RSYNC_OPTS).toBe('-aS --numeric-ids');
  });

  test.each([
    [['src/', 'dst'], 1000],
    [['src/', 'host:dst'], 10000], // over ssh every bucket is a remote session
    [['host:src/', 'dst'], 10000],
    [['--workers', 'w1,w2', 'src/', 'dst'], 10000],
    [['src/', 'host::module/dst'], 1000], // an rsync daemon: no shell per bucket
    [['src/', 'rsync://host/module/dst'], 1000],
    [['-f', '500', 'src/', 'host:dst'], 500], // -f always wins
    [['-p', '1', 'src/', 'dst'], 10000], // one slot: nothing to balance, each bucket an rsync start
    [['-p', '1', '-f', '2000', 'src/', 'dst'], 2000],
    [['-p', '2', 'src/', 'dst'], 1000],
    [['-p', '1', '--shared', '/tmp/plan', 'src/', 'dst'], 1000], // other coordinators take buckets too
  ])('entries per bucket by default: %p → %p', (argv, want) => {
    expect(config(argv).maxFiles).toBe(want);
  });

  test('every option', () => {
    const c = config(
      ['-p', '4', '-f', '10', '-s', '1.5M', '--retries', '0', '-r', "-aH '--log-file-format=%i %n'", '-e', 'ssh -p 2222', '-b', '/tmp/x', '-d', 'a', 'b/', 'host:/dst'],
      { MULTISYNC_RSYNC: '/opt/rsync/bin/rsync', MULTISYNC_BACKOFF_MS: '5' },
    );
    expect(c).toMatchObject({
      sources: [
        { arg: 'a', base: './', prefix: 'a' },
        { arg: 'b/', base: 'b/', prefix: '' },
      ],
      destination: 'host:/dst',
      processes: 4,
      maxFiles: 10,
      maxBytes: 1.5 * 1024 ** 2,
      rsyncOpts: ['-aH', '--log-file-format=%i %n'],
      rsh: 'ssh -p 2222',
      retries: 0,
      backoffMs: 5,
      dryRun: true,
      bucketDir: '/tmp/x',
      keep: false,
      rsyncPath: '/opt/rsync/bin/rsync',
    });
  });

  test.each<[string[], number, number, number]>([
    [['-p', '1', 's', 'd'], 1, 10000, 2],
    [['-p', '256', 's', 'd'], 256, 1000, 2],
    [['-f', '1', 's', 'd'], defaultProcesses(cpus().length), 1, 2],
    [['--retries', '999', 's', 'd'], defaultProcesses(cpus().length), 1000, 999],
  ])('limits %p', (argv, processes, maxFiles, retries) => {
    const c = config(argv);
    expect([c.processes, c.maxFiles, c.retries]).toEqual([processes, maxFiles, retries]);
  });

  test.each<[string[], boolean]>([
    [['s', 'd'], false],
    [['-k', 's', 'd'], true],
    [['--keep', 's', 'd'], true],
    [['-j', 's', 'd'], true],
  ])('keep %p → %p', (argv, keep) => {
    expect(config(argv).keep).toBe(keep);
  });

  test.each<[string, string[]]>([
    ['-a', ['-a']],
    ['', []],
    ['-a --delay-updates', ['-a', '--delay-updates']],
    ['-aH --numeric-ids "--log-file-format=%i %n"', ['-aH', '--numeric-ids', '--log-file-format=%i %n']],
    ['-a --chmod=D755,F644 --inplace', ['-a', '--chmod=D755,F644', '--inplace']],
  ])('--rsync %p is accepted', (opts, want) => {
    expect(config(['-r', opts, 's', 'd']).rsyncOpts).toEqual(want);
  });

  test('several sources, the last positional is DST', () => {
    const c = config(['x/', '/abs/y', 'z', 'dst/']);
    expect(c.sources.map((s) => [s.base, s.prefix])).toEqual([
      ['x/', ''],
      ['/abs/', 'y'],
      ['./', 'z'],
    ]);
    expect(c.destination).toBe('dst/');
  });

  test('a size with a unit suffix', () => {
    expect(config(['-s', '512MiB', 's', 'd']).maxBytes).toBe(512 * 1024 ** 2);
    expect(config(['--size=2G', 's', 'd']).maxBytes).toBe(2 * 1024 ** 3);
  });
});
