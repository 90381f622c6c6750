import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumPin, firstChecksum } from '../../src/engine/checksum-pin.ts';

const V35 = `rsync  version 3.5.0  protocol version 32
Capabilities:
    64-bit files, 64-bit inums, 64-bit timestamps, 64-bit long ints,
Optimizations:
    SIMD-roll, no asm-roll, openssl-crypto, no asm-MD5
Checksum list:
    xxh128 xxh3 xxh64 (xxhash) md5 md4 sha1 none
Compress list:
    zstd lz4 zlibx zlib none
`;
const V31 = `rsync  version 3.1.3  protocol version 31
Capabilities:
    64-bit files, 64-bit inums, 64-bit timestamps, 64-bit long ints,
`;

const dir = mkdtempSync(join(tmpdir(), 'multisync-pin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in rsync that prints `text` for --version. */
function fakeRsync(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\ncat <<'EOF'\n${text}EOF\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('checksum pin', () => {
  test("the first name of rsync's checksum list; none before 3.2", () => {
    expect(firstChecksum(V35)).toBe('xxh128');
    expect(firstChecksum(V35.replace('xxh128 xxh3 xxh64 (xxhash) ', ''))).toBe('md5');
    expect(firstChecksum(V31)).toBeNull();
    expect(firstChecksum('Checksum list:\n    none\n')).toBeNull();
  });

  test('named for a local transfer unless the user or the environment chose', () => {
    const rsync = fakeRsync('rsync-35', V35);
    expect(checksumPin(rsync, ['-aS', '--numeric-ids'], {})).toEqual(['--checksum-choice=xxh128']);
    expect(checksumPin(rsync, ['-a', '--cc=md5'], {})).toEqual([]);
    expect(checksumPin(rsync, ['-a', '--cc', 'md5'], {})).toEqual([]);
    expect(checksumPin(rsync, ['-a', '--checksum-choice=xxh3'], {})).toEqual([]);
    expect(checksumPin(rsync, ['-a', '--protocol=29'], {})).toEqual([]);
    expect(checksumPin(rsync, ['-a', '--write-batch=b'], {})).toEqual([]);
    expect(checksumPin(rsync, ['-a'], { RSYNC_CHECKSUM_LIST: 'md5' })).toEqual([]);
    // -c (--checksum) keeps the pin: the negotiated checksum is the pinned one
    expect(checksumPin(rsync, ['-ac'], {})).toEqual(['--checksum-choice=xxh128']);
  });

  test('an rsync without a checksum list, or one that does not run, gets nothing', () => {
    expect(checksumPin(fakeRsync('rsync-31', V31), ['-a'], {})).toEqual([]);
    expect(checksumPin(join(dir, 'no-such-rsync'), ['-a'], {})).toEqual([]);
  });
});
