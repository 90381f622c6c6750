// The directory pass's rsync command line: exact directory times unless the user chose a window,
// and no file touched (existing ones are the buckets').
import { describe, expect, test } from 'bun:test';
import { makeRunConfig, sourceRoot } from '../../src/engine/config.ts';
import { passArgv, passOptions } from '../../src/engine/dir-pass.ts';

const base = ['--no-recursive', '--ignore-existing'];

describe('passOptions: nanoseconds count in the pass unless the user set a window', () => {
  test.each<[string[], string[]]>([
    [['-aS', '--numeric-ids'], [...base, '--modify-window=-1']],
    [['-a', '--modify-window=1'], base],
    [['-a', '--modify-window', '2'], base],
    [['-a', '-@1'], base],
    [['-a@1'], base],
    [['-a', '--no-perms'], [...base, '--modify-window=-1']],
  ])('%j → %j', (opts, expected) => {
    expect(passOptions(opts)).toEqual(expected);
  });
});

test('passArgv: no recursion, no existing file, exact times, the list and both ends', () => {
  const cfg = makeRunConfig({ sources: [sourceRoot('/s/')], destination: '/d/' });
  const argv = passArgv(cfg, 0, '/run/dirs-0.list');
  expect(argv).toContain('--no-recursive');
  expect(argv).toContain('--ignore-existing');
  expect(argv).toContain('--modify-window=-1');
  expect(argv.slice(-2)).toEqual(['/s/', '/d/']);
  const user = passArgv({ ...cfg, rsyncOpts: ['-a', '--modify-window=1'] }, 0, '-');
  expect(user.filter((a) => a.startsWith('--modify-window'))).toEqual(['--modify-window=1']);
});
