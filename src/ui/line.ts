// One terminal line made of styled segments, clipped to a width. Components
// build their lines as segments so that every line provably fits the terminal.
import { Box, Text } from 'ink';
import { sanitize, stringWidth, truncateEnd } from './format.ts';
import { usePaint, type BasicColor } from './theme.ts';

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
      out.push({ ...seg, text });
      used += w;
      continue;
    }
    const rest = truncateEnd(text, width - used);
    if (rest) out.push({ ...seg, text: rest });
    break;
  }
  return out;
}

/** A segment with no style needs no <Text> of its own (three fewer React nodes, same output). */
const plain = (s: Segment, color: boolean) => !s.bold && !s.inverse && !(color && (s.color || s.dim));

export function Line({ segments, width }: { segments: readonly Segment[]; width: number }) {
  const paint = usePaint();
  const clipped = clipSegments(segments, width);
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-end">
        {clipped.length === 0
          ? ' '
          : clipped.map((s, i) =>
              plain(s, paint.enabled) ? (
                s.text
              ) : (
                <Text
                  key={i}
                  {...(s.color ? paint(s.color) : {})}
                  {...(s.dim ? paint.dim() : {})}
                  bold={s.bold ?? false}
                  inverse={s.inverse ?? false}
                >
                  {s.text}
                </Text>
              ),
            )}
      </Text>
    </Box>
  );
}
