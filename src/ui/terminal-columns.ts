// Terminal columns for the TUI: measure text as a terminal shows it, make
// crawled names safe to print, and fit text into a given number of columns.
// No React, no Ink: everything here is table-tested in test/ui/format.test.ts.
//
// Widths are terminal columns, not string lengths: CJK characters take two
// columns, combining marks take none. File names come from the crawl and may
// contain anything, so every helper that shows a name sanitizes it first.

// C0/C1 controls (newline, ESC, DEL, ...) and bidi overrides would break the
// layout or let a crafted file name drive the terminal.
const UNSAFE_CHARS = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

/** Replace control characters (ESC, newline, bidi overrides...) with `?`. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE_CHARS, '?');
}

// Made on first use: only names that need cutting (or runtimes without Bun.stringWidth) use it.
let segmenter: Intl.Segmenter | undefined;

function graphemes(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

type BunWidth = { stringWidth?: (s: string) => number };
const bunStringWidth = (globalThis as { Bun?: BunWidth }).Bun?.stringWidth;

function fallbackWidth(text: string): number {
  let width = 0;
  for (const g of graphemes(text)) {
    const cp = g.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || /^\p{Mark}/u.test(g)) continue;
    const wide =
      /\p{Extended_Pictographic}/u.test(g) ||
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/** Columns the text occupies in a terminal. */
export function stringWidth(text: string): number {
  return bunStringWidth ? bunStringWidth(text) : fallbackWidth(text);
}

/** Longest prefix whose width is at most `width` (never splits a character). */
function takeStart(parts: string[], width: number): string {
  let out = '';
  let used = 0;
  for (const g of parts) {
    const w = stringWidth(g);
    if (used + w > width) break;
    out += g;
    used += w;
  }
  return out;
}

/** Longest suffix whose width is at most `width`. */
function takeEnd(parts: string[], width: number): string {
  let out = '';
  let used = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    const w = stringWidth(parts[i]!);
    if (used + w > width) break;
    out = parts[i] + out;
    used += w;
  }
  return out;
}

export const ELLIPSIS = '…';

/**
 * Fit text into `width` columns by cutting out its middle. The tail gets two
 * thirds of the room: for paths it holds the file name, the useful part.
 */
export function truncateMiddle(text: string, width: number): string {
  const clean = sanitize(text);
  if (width <= 0) return '';
  if (stringWidth(clean) <= width) return clean;
  if (width === 1) return ELLIPSIS;
  const parts = graphemes(clean);
  const room = width - 1;
  const head = takeStart(parts, Math.floor(room / 3));
  const tail = takeEnd(parts, room - stringWidth(head));
  return head + ELLIPSIS + tail;
}

/** Fit text into `width` columns by cutting its start: `…/dir/file.txt`. */
export function truncateStart(text: string, width: number): string {
  const clean = sanitize(text);
  if (width <= 0) return '';
  if (stringWidth(clean) <= width) return clean;
  return ELLIPSIS + takeEnd(graphemes(clean), width - 1);
}

/** Fit text into `width` columns by cutting its end: `rsync: send_fil…`. */
export function truncateEnd(text: string, width: number): string {
  const clean = sanitize(text);
  if (width <= 0) return '';
  if (stringWidth(clean) <= width) return clean;
  return takeStart(graphemes(clean), width - 1) + ELLIPSIS;
}

export type Align = 'left' | 'right';

/** Pad (with spaces) to exactly `width` columns; text must already fit. */
export function pad(text: string, width: number, align: Align = 'left'): string {
  const room = Math.max(0, width - stringWidth(text));
  return align === 'left' ? text + ' '.repeat(room) : ' '.repeat(room) + text;
}

/** Truncate (at the end) and pad to exactly `width` columns: a table cell. */
export function cell(text: string, width: number, align: Align = 'left'): string {
  return pad(truncateEnd(text, width), width, align);
}
