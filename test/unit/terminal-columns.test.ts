import { describe, expect, test } from 'bun:test';
import { pad } from '../../src/ui/terminal-columns.ts';

describe('pad: exactly `width` columns, text already fitting', () => {
  test.each<[string, number, 'left' | 'right' | undefined, string]>([
    ['ab', 5, undefined, 'ab   '],
    ['ab', 5, 'left', 'ab   '],
    ['ab', 5, 'right', '   ab'],
    ['abcde', 5, 'right', 'abcde'],
    // wide characters count two columns each
    ['日本', 6, 'left', '日本  '],
    ['日本', 6, 'right', '  日本'],
    // combining marks count none
    ['e\u0301', 3, 'left', 'e\u0301  '],
    // text that does not fit is left as it is, never cut
    ['abcdef', 3, 'left', 'abcdef'],
    ['', 3, 'right', '   '],
    ['ab', 0, 'left', 'ab'],
  ])('pad(%p, %p, %p) -> %p', (text: string, width: number, align: 'left' | 'right' | undefined, want: string) => {
    expect(pad(text, width, align)).toBe(want);
  });
});
