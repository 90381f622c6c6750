// Colour policy: only basic named colours (8/16-colour terminals), and none at all when NO_COLOR
// is set (https://no-color.org). Meaning is never carried by colour alone: PAUSED is inverse
// text, failures say "failed", keys are inverse.
import { isatty } from 'node:tty';

export type BasicColor = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white';

/** How lines are styled (see line.ts). */
export interface Styles {
  /** Any SGR codes at all (bold, inverse; colour and dim too when `color`). */
  escapes: boolean;
  /** Colours and dim text (off under NO_COLOR). */
  color: boolean;
}

/** Colour is on unless NO_COLOR is present and non-empty. */
export function colorEnabled(env: Record<string, string | undefined> = process.env): boolean {
  const value = env['NO_COLOR'];
  return value === undefined || value === '';
}

/**
 * Whether the terminal gets SGR codes at all — what Ink's chalk decided when it styled <Text>:
 * FORCE_COLOR wins ('0'/'false' off, anything else on), otherwise only a terminal on fd 1 that is
 * not TERM=dumb.
 */
export function escapesEnabled(env: Record<string, string | undefined> = process.env, tty: boolean = isatty(1)): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return tty && env['TERM'] !== 'dumb';
}

/** The styles for this process; `noColor` forces colour off (true) or on (false) instead of NO_COLOR. */
export function stylesFor(noColor?: boolean): Styles {
  return { escapes: escapesEnabled(), color: noColor === undefined ? colorEnabled() : !noColor };
}
