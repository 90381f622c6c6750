// Choosing AES-GCM for the data's ssh connections (ssh-cipher.ts): only on a CPU with AES
// instructions, and only when the user's effective cipher list is OpenSSH's default.
import { describe, expect, test } from 'bun:test';
import { gcmWouldHelp, hasAesInstructions } from '../../src/engine/ssh-cipher.ts';

const DEFAULT = 'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com';
const PREFERRED = 'aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr';

describe('hasAesInstructions', () => {
  const rows: Array<[string, string, boolean]> = [
    ['x86 with aes', 'processor\t: 0\nflags\t\t: fpu vme sse2 aes avx2 pclmulqdq\n', true],
    ['x86 without aes', 'processor\t: 0\nflags\t\t: fpu vme sse2 avx2\n', false],
    ['x86 with vaes only is not aes', 'flags\t\t: fpu vaes avx2\n', false],
    ['arm64 with aes', 'processor\t: 0\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32\n', true],
    ['arm64 without', 'Features\t: fp asimd evtstrm crc32\n', false],
    ['aes in another field', 'model name\t: aes-like cpu\nflags\t\t: fpu\n', false],
    ['empty', '', false],
  ];
  for (const [name, info, want] of rows) test(name, () => expect(hasAesInstructions(info)).toBe(want));
});

describe('gcmWouldHelp', () => {
  const rows: Array<[string, string, string, boolean]> = [
    ["OpenSSH's default order", DEFAULT, PREFERRED, true],
    ['already AES-GCM first (a default that has it so)', PREFERRED, PREFERRED, false],
    ['the user chose one cipher (-c aes256-ctr)', 'aes256-ctr', PREFERRED, false],
    ['the user chose chacha20 only', 'chacha20-poly1305@openssh.com', PREFERRED, false],
    ['a reordered list in ssh_config', 'aes128-ctr,chacha20-poly1305@openssh.com,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com', PREFERRED, false],
    ['a list without the AES-GCM ciphers', 'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr', PREFERRED, false],
    ['nothing known', '', PREFERRED, false],
  ];
  for (const [name, mine, preferred, want] of rows) test(name, () => expect(gcmWouldHelp(mine, preferred)).toBe(want));
});
