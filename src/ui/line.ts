// One terminal line made of styled segments, clipped to a width. Every part of the screen is
// built as lines of segments, so that every line provably fits the terminal; the screen is then
// handed to Ink as one text (see screen.ts), styled here with the terminal's own SGR codes.
import { sanitize, stringWidth, truncateEnd } from './format.ts';
import type { BasicColor, Styles } from './theme.ts';

export interface Segment {
  text: string;
  color?: BasicColor;
  dim?: boolean;
  bold?: boolean;
  inverse?: boolean;
}

export function segmentsWidth(segments: readonly Segment[]): number {
  return segments.reduce((w, s) => w + stringWidth(s.text), 0);
}

/** Keep segments up to `width` columns; the segment that overflows is cut with `…`. */
export function clipSegments(segments: readonly Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let used = 0;
  for (const seg of segments) {
    const text = sanitize(seg.text);
    const w = stringWidth(text);
    if (used + w <= width) {
      out.push(text === seg.text ? seg : { ...seg, text });
      used += w;
      continue;
    }
    const rest = truncateEnd(text, width - used);
    if (rest) out.push({ ...seg, text: rest });
    break;
  }
  return out;
}

const FG: Record<BasicColor, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37 };

/** SGR codes around one segment's text: bold/dim end with 22, inverse with 27, colour with 39. */
function styled(s: Segment, styles: Styles): string {
  if (!styles.escapes || !s.text) return s.text;
  const color = styles.color && s.color !== undefined;
  const dim = styles.color && s.dim === true;
  let open = '';
  let close = '';
  if (s.bold || dim) {
    open += s.bold && dim ? '\x1b[1;2m' : s.bold ? '\x1b[1m' : '\x1b[2m';
    close = '\x1b[22m';
  }
  if (s.inverse) {
    open += '\x1b[7m';
    close = `\x1b[27m${close}`;
  }
  if (color) {
    open += `\x1b[${FG[s.color!]}m`;
    close = `\x1b[39m${close}`;
  }
  return open ? open + s.text + close : s.text;
}

/**
 * The line as terminal text: clipped to `width` columns, each styled segment wrapped in its SGR
 * codes (none at all when the terminal gets no escapes; no colour or dim under NO_COLOR).
 */
export function lineText(segments: readonly Segment[], width: number, styles: Styles): string {
  let out = '';
  for (const s of clipSegments(segments, width)) out += styled(s, styles);
  return out;
}
