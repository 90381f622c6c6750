import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRsync } from '../../src/engine/preflight.ts';
import { binaryKey, flushRsyncVersion, whichBinary } from '../../src/engine/rsync-version-cache.ts';
import { stateRoot } from '../../src/engine/state.ts';

const dir = mkdtempSync(join(tmpdir(), 'multisync-vcache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const V = (v: string) => `rsync  version ${v}  protocol version 32\nChecksum list:\n    xxh128 md5\n`;

/** A stand-in rsync that counts its runs in `<file>.runs` and prints `text` for --version. */
function fakeRsync(name: string, text: string): { path: string; runs(): number } {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho run >> '${path}.runs'\ncat <<'EOF'\n${text}EOF\n`);
  chmodSync(path, 0o755);
  return { path, runs: () => (existsSync(`${path}.runs`) ? readFileSync(`${path}.runs`, 'utf8').split('\n').length - 1 : 0) };
}

describe('rsync --version, remembered per binary', () => {
  test('a bare name is looked up on PATH; a path is taken as it is', () => {
    const f = fakeRsync('my-rsync', V('3.5.0'));
    expect(whichBinary('my-rsync', { PATH: `/nonexistent:${dir}` })).toBe(f.path);
    expect(whichBinary('my-rsync', { PATH: '/nonexistent' })).toBeNull();
    expect(whichBinary(f.path, {})).toBe(f.path);
    expect(binaryKey('no-such-rsync', { PATH: dir })).toBeNull();
  });

  test('asked once, kept only after the checks passed, asked again when the binary changes', () => {
    const f = fakeRsync('rsync-a', V('3.5.0'));
    expect(checkRsync(f.path)).toBe('3.5.0');
    expect(checkRsync(f.path)).toBe('3.5.0');
    // nothing is written before flushRsyncVersion (a run that stops at a bad option writes nothing)
    expect(f.runs()).toBe(2);
    flushRsyncVersion();
    expect(readFileSync(join(stateRoot(), 'rsync-version.json'), 'utf8')).toContain(f.path);
    expect(checkRsync(f.path)).toBe('3.5.0');
    expect(f.runs()).toBe(2);
    // an upgrade (a new file in its place) is a new key: asked again
    writeFileSync(f.path, readFileSync(f.path, 'utf8').replace('3.5.0', '3.5.1'));
    expect(checkRsync(f.path)).toBe('3.5.1');
    expect(f.runs()).toBe(3);
  });

  test('a remembered version still goes through the same checks (too old is refused)', () => {
    const f = fakeRsync('rsync-old', V('3.0.9'));
    expect(() => checkRsync(f.path)).toThrow(/too old/);
  });
});
