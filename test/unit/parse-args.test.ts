import { describe, expect, test } from 'bun:test';
import { helpText, OPTIONS, parseArgs, type ParsedArgs } from '../../src/commands/parse-args.ts';
import { UsageError } from '../../src/engine/errors.ts';

type Core = Pick<ParsedArgs, 'command' | 'flags' | 'values' | 'lists' | 'positionals'>;
const parsed = (p: Partial<Core>): Core => ({ command: 'tui', flags: {}, values: {}, lists: {}, positionals: [], ...p });
/** The fields these tests pin down (other fields may be added by other features). */
const core = ({ command, flags, values, lists, positionals }: ParsedArgs): Core => ({ command, flags, values, lists, positionals });

describe('parseArgs', () => {
  test.each<[string, string[], Core]>([
    ['no arguments: tui', [], parsed({})],
    ['default command is tui', ['src/', 'dst'], parsed({ positionals: ['src/', 'dst'] })],
    ['explicit tui', ['tui', 'a', 'b'], parsed({ positionals: ['a', 'b'] })],
    ['demo', ['demo'], parsed({ command: 'demo' })],
    ['selftest', ['selftest'], parsed({ command: 'selftest' })],
    ['a command word only counts first', ['a', 'demo'], parsed({ positionals: ['a', 'demo'] })],
    ['-p 4', ['-p', '4', 's', 'd'], parsed({ values: { processes: '4' }, positionals: ['s', 'd'] })],
    ['-p4', ['-p4'], parsed({ values: { processes: '4' } })],
    ['--processes=4', ['--processes=4'], parsed({ values: { processes: '4' } })],
    ['--processes 4', ['--processes', '4'], parsed({ values: { processes: '4' } })],
    ['--processes= (empty value)', ['--processes='], parsed({ values: { processes: '' } })],
    ['value containing =', ['--rsync=--exclude=a=b'], parsed({ values: { rsync: '--exclude=a=b' } })],
    ['last value wins', ['-p', '2', '--processes', '3'], parsed({ values: { processes: '3' } })],
    ['combined flags -dP', ['-dP'], parsed({ flags: { 'dry-run': true, progress: true } })],
    ['flags then a value in one word', ['-dkp3'], parsed({ flags: { 'dry-run': true, keep: true }, values: { processes: '3' } })],
    ['flags then a value in the next word', ['-dp', '3'], parsed({ flags: { 'dry-run': true }, values: { processes: '3' } })],
    ['-r value starting with a dash', ['-r', '-aS --numeric-ids', 's', 'd'], parsed({ values: { rsync: '-aS --numeric-ids' }, positionals: ['s', 'd'] })],
    ['--rsync value starting with dashes', ['--rsync', '--delete', 's', 'd'], parsed({ values: { rsync: '--delete' }, positionals: ['s', 'd'] })],
    ['-e with spaces', ['-e', 'ssh -p 2222'], parsed({ values: { rsh: 'ssh -p 2222' } })],
    ['options after positionals', ['s', 'd', '-p', '3', '--json'], parsed({ flags: { json: true }, values: { processes: '3' }, positionals: ['s', 'd'] })],
    ['-- ends options', ['-d', '--', '-p', '--json', 'x'], parsed({ flags: { 'dry-run': true }, positionals: ['-p', '--json', 'x'] })],
    ['-- as a value is a value', ['-r', '--', 's'], parsed({ values: { rsync: '--' }, positionals: ['s'] })],
    ['a lone - is a positional', ['-', 'd'], parsed({ positionals: ['-', 'd'] })],
    ['long flags', ['--stats', '--headless', '--keep', '--show', '--help', '--version'], parsed({ flags: { stats: true, headless: true, keep: true, show: true, help: true, version: true } })],
    ['short flags', ['-k', '-j', '-h', '-v'], parsed({ flags: { keep: true, show: true, help: true, version: true } })],
    ['--retries has no short form', ['--retries', '0'], parsed({ values: { retries: '0' } })],
  ])('%s', (_label, argv, want) => {
    expect(core(parseArgs(argv))).toEqual(want);
  });

  test.each<[string[], RegExp]>([
    [['--nope'], /unknown option --nope/],
    [['--nope=1'], /unknown option --nope/],
    [['-z'], /unknown option -z/],
    [['-dz'], /unknown option -z/],
    [['-R', 's', 'd'], /unknown option -R/],
    [['-p'], /option -p needs a value/],
    [['-dp'], /option -p needs a value/],
    [['--processes'], /option --processes needs a value/],
    [['s', 'd', '--size'], /option --size needs a value/],
    [['--json=x'], /option --json takes no value/],
    [['--dry-run='], /option --dry-run takes no value/],
    [['---'], /unknown option --/],
  ])('%p throws a UsageError', (argv, message) => {
    let err: unknown;
    try {
      parseArgs(argv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
  });

  test('multi-valued options collect every value', () => {
    const specs = [
      { long: 'exclude', short: 'x', value: 'multi' as const, help: '' },
      { long: 'verbose', short: 'V', help: '' },
    ];
    expect(core(parseArgs(['-x', 'a', '--exclude=b', '-Vxc', 'p'], specs))).toEqual(
      parsed({ flags: { verbose: true }, lists: { exclude: ['a', 'b', 'c'] }, positionals: ['p'] }),
    );
  });

  test('every option has a unique long and short name and is in the help', () => {
    const longs = OPTIONS.map((o) => o.long);
    const shorts = OPTIONS.filter((o) => o.short).map((o) => o.short);
    expect(new Set(longs).size).toBe(longs.length);
    expect(new Set(shorts).size).toBe(shorts.length);
    const help = helpText('9.9.9');
    expect(help).toContain('multisync 9.9.9');
    for (const o of OPTIONS) expect(help).toContain(`--${o.long}`);
  });
});
