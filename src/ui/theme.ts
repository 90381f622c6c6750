// Colour policy: only basic named colours (8/16-colour terminals), and none at
// all when NO_COLOR is set (https://no-color.org). Meaning is never carried by
// colour alone: PAUSED is inverse text, failures say "failed", keys are inverse.
import { createContext, useContext } from 'react';

export type BasicColor = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white';

/** Props to spread on an Ink <Text>; empty when colour is off. */
export interface ColorProps {
  color?: BasicColor;
  dimColor?: boolean;
}

/** Colour is on unless NO_COLOR is present and non-empty. */
export function colorEnabled(env: Record<string, string | undefined> = process.env): boolean {
  const value = env['NO_COLOR'];
  return value === undefined || value === '';
}

export const ColorContext = createContext<boolean>(true);

export interface Paint {
  (color: BasicColor): ColorProps;
  /** Faint text for secondary information. */
  dim(): ColorProps;
  enabled: boolean;
}

export function makePaint(enabled: boolean): Paint {
  const paint = ((color: BasicColor) => (enabled ? { color } : {})) as Paint;
  paint.dim = () => (enabled ? { dimColor: true } : {});
  paint.enabled = enabled;
  return paint;
}

const PAINT_ON = makePaint(true);
const PAINT_OFF = makePaint(false);

export function usePaint(): Paint {
  return useContext(ColorContext) ? PAINT_ON : PAINT_OFF;
}
