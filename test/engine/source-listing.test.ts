// The listing of a remote SRC that the pre-flight starts and the crawl takes over
// (source-listing.ts), with a stand-in remote shell: its first byte is had early, nothing it
// printed meanwhile is lost, and one started for another format is not taken.
import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceRoot } from '../../src/engine/config.ts';
import { SourceListing, sourceListing } from '../../src/engine/source-listing.ts';

const tmp = mkdtempSync(join(tmpdir(), 'multisync-source-listing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A remote shell that runs `body` (sh) instead of reaching a host. */
function rsh(body: string): string {
  const f = join(tmp, `rsh-${Math.random().toString(36).slice(2)}`);
  writeFileSync(f, `#!/bin/sh\n${body}\n`);
  chmodSync(f, 0o755);
  return f;
}

const root = sourceRoot('host:/src/');
// 200 records of ~1 KiB, in several writes, and a warning on stderr between them
const BODY = `printf 'd 4096 1 1 2 \\000'; echo 'find: warn one' >&2; i=0; while [ $i -lt 200 ]; do printf "f 1 2 3 1 file-$i-%01000d\\000" 0; i=$((i+1)); done; echo 'find: warn two' >&2`;

async function drain(l: SourceListing): Promise<{ out: Buffer; err: string; code: number | null }> {
  let err = '';
  const parts: Buffer[] = [];
  for await (const c of l.take((t) => (err += t))) parts.push(c);
  const code = await l.closed;
  return { out: Buffer.concat(parts), err, code };
}

describe('SourceListing', () => {
  test('the first byte early; then everything, what came meanwhile first', async () => {
    const l = new SourceListing(root, { rsh: rsh(BODY), oneFileSystem: false }, false);
    expect(await l.first(10_000)).toBe(0x64);
    const { out, err, code } = await drain(l);
    expect(code).toBe(0);
    const recs = out.toString('latin1').split('\0');
    expect(recs[0]).toBe('d 4096 1 1 2 ');
    expect(recs.length).toBe(202);
    expect(recs[200].startsWith('f 1 2 3 1 file-199-')).toBe(true);
    expect(err).toBe('find: warn one\nfind: warn two\n');
  });

  test('no record: null, and the errors to tell why', async () => {
    const l = new SourceListing(root, { rsh: rsh(`echo "find: '/src': No such file or directory" >&2; exit 1`), oneFileSystem: false }, false);
    expect(await l.first(10_000)).toBeNull();
    expect(await l.closed).toBe(1);
    expect(l.errors).toContain('No such file');
  });

  test('the crawl takes the one the pre-flight started for it, in its format; else a new one', async () => {
    const cfg = { rsh: rsh('exec sleep 30'), oneFileSystem: false, sourceListing: undefined as SourceListing | undefined };
    const early = new SourceListing(root, cfg, true);
    cfg.sourceListing = early;
    expect(sourceListing(root, cfg, true)).toBe(early);
    expect(cfg.sourceListing).toBeUndefined();
    cfg.sourceListing = early;
    const other = sourceListing(root, cfg, false);
    expect(other).not.toBe(early);
    expect(await early.closed).toBeNull(); // stopped
    other.stop();
    expect(await other.closed).toBeNull();
  });
});
