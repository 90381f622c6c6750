import { describe, expect, test } from 'bun:test';
import { colorEnabled, makePaint } from '../../src/ui/theme.ts';

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

describe('makePaint', () => {
  test('gives basic colour props when enabled, nothing when disabled', () => {
    expect(makePaint(true)('red')).toEqual({ color: 'red' });
    expect(makePaint(true).dim()).toEqual({ dimColor: true });
    expect(makePaint(false)('red')).toEqual({});
    expect(makePaint(false).dim()).toEqual({});
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
