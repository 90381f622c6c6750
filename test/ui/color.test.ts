import { describe, expect, test } from 'bun:test';
import { lineText } from '../../src/ui/line.ts';
import { colorEnabled, escapesEnabled } from '../../src/ui/theme.ts';

describe('colorEnabled', () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['unset', {}, true],
    ['empty', { NO_COLOR: '' }, true],
    ['1', { NO_COLOR: '1' }, false],
    ['yes', { NO_COLOR: 'yes' }, false],
  ];
  for (const [name, env, want] of cases) {
    test(`NO_COLOR ${name} -> colour ${want}`, () => expect(colorEnabled(env)).toBe(want));
  }
});

describe('escapesEnabled', () => {
  const cases: Array<[string, Record<string, string>, boolean, boolean]> = [
    ['a terminal', { TERM: 'xterm-256color' }, true, true],
    ['TERM=dumb', { TERM: 'dumb' }, true, false],
    ['not a terminal', { TERM: 'xterm' }, false, false],
    ['FORCE_COLOR=1 without a terminal', { FORCE_COLOR: '1' }, false, true],
    ['FORCE_COLOR= (empty)', { FORCE_COLOR: '' }, false, true],
    ['FORCE_COLOR=0 on a terminal', { FORCE_COLOR: '0', TERM: 'xterm' }, true, false],
    ['FORCE_COLOR=false on a terminal', { FORCE_COLOR: 'false', TERM: 'xterm' }, true, false],
  ];
  for (const [name, env, tty, want] of cases) {
    test(`${name} -> escapes ${want}`, () => expect(escapesEnabled(env, tty)).toBe(want));
  }
});

describe('lineText', () => {
  const segs = [
    { text: 'a', color: 'red' as const },
    { text: 'b', dim: true },
    { text: 'c', bold: true, inverse: true },
    { text: 'd' },
  ];
  test('basic colour, dim, bold and inverse codes, each closed after its segment', () => {
    expect(lineText(segs, 80, { escapes: true, color: true })).toBe('\x1b[31ma\x1b[39m\x1b[2mb\x1b[22m\x1b[1m\x1b[7mc\x1b[27m\x1b[22md');
  });
  test('NO_COLOR keeps bold and inverse only', () => {
    expect(lineText(segs, 80, { escapes: true, color: false })).toBe('ab\x1b[1m\x1b[7mc\x1b[27m\x1b[22md');
  });
  test('no escapes at all: plain text, clipped to the width', () => {
    expect(lineText(segs, 80, { escapes: false, color: true })).toBe('abcd');
    expect(lineText([{ text: 'abcdef', bold: true }], 4, { escapes: false, color: true })).toBe('abc…');
  });
});

// Foreground/background colour SGR parameters (30-49, 90-107) and
// 256/true-colour forms; inverse (7) and bold (1) are not colour.
const COLOUR_SGR = /\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;
const TRUE_OR_256 = /\x1b\[[0-9;]*[34]8;[25];/;

function frameWith(env: Record<string, string>): string {
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), FORCE_COLOR: '1', ...env };
  if (!('NO_COLOR' in env)) delete childEnv['NO_COLOR'];
  const out = Bun.spawnSync([process.execPath, `${import.meta.dir}/color-probe.tsx`], { env: childEnv });
  expect(out.exitCode).toBe(0);
  return out.stdout.toString();
}

describe('rendered colours', () => {
  test('basic colours only (no 256 / true colour) when colour is on', () => {
    const frame = frameWith({});
    expect(frame).toMatch(COLOUR_SGR);
    expect(frame).not.toMatch(TRUE_OR_256);
  });

  test('NO_COLOR: no colour codes at all, PAUSED still inverse', () => {
    const frame = frameWith({ NO_COLOR: '1' });
    expect(frame).toContain('PAUSED');
    expect(frame).not.toMatch(COLOUR_SGR);
    expect(frame).toContain('\x1b[7m'); // inverse survives
  });
});
