// The listing of a remote SRC that the pre-flight starts and the crawl takes over
// (source-listing.ts), with a stand-in remote shell: its first byte is had early, nothing it
// printed meanwhile is lost, and one started for another format is not taken.
import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceRoot } from '../../src/engine/config.ts';
import { SourceListing, sourceListing } from '../../src/engine/source-listing.ts';
import { remoteCrawl } from '../../src/engine/remote-crawl.ts';
import { checkRemoteSourceListing } from '../../src/engine/ssh-preflight.ts';
import { parseRemote } from '../../src/engine/remote.ts';
import type { Writable } from 'node:stream';

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

  // A pull's listing with the far end's daemon in its session (listingWithDaemon): the session
  // stays after the listing, so its output never ends; the listing ends in-band instead, with
  // END_MARK and find's status on stdout and END_LINE on stderr, in either order.
  describe("with the daemon in its session", () => {
    /** A stand-in daemon start: the session's stdin (closing it ends the stand-in), its stderr, its end. */
    function daemonStart() {
      const got = { stdin: null as Writable | null, stderr: '', closed: false };
      return { got, start: { call: 'true', linger: { stdin: (w: Writable) => (got.stdin = w), stderr: (t: string) => (got.stderr += t), closed: () => (got.closed = true) } } };
    }
    // (stays like the far script's DAEMON_WAIT: until stdin closes)
    const STAY = 'exec cat >/dev/null';

    test("the crawl ends at the mark while the session stays; find's last message, late on stderr, still counts", async () => {
      const { got, start } = daemonStart();
      const body = [
        `printf 'd 4096 1 1 2 \\000'`,
        'echo "multisync-daemon: port 1 /root" >&2',
        `printf 'f 5 2 3 1 a\\000'`,
        `printf 'multisync-end 1\\000'`,
        // (stderr after stdout's mark: the crawl waits for the end line)
        'sleep 0.3',
        `echo "find: '/src/locked': Permission denied" >&2`,
        'echo multisync-end >&2',
        STAY,
      ].join('; ');
      const cfg = { rsh: rsh(body), oneFileSystem: false, sourceListing: undefined as SourceListing | undefined };
      const l = new SourceListing(root, cfg, false, undefined, start);
      cfg.sourceListing = l;
      expect(await l.first(10_000)).toBe(0x64);
      const errors: string[] = [];
      const names: string[] = [];
      for await (const e of remoteCrawl(root, cfg, { onError: (p, err) => errors.push(`${p.toString()}: ${err.code ?? err.message}`) })) names.push(e.path.toString());
      expect(names).toEqual(['a']);
      expect(errors).toEqual(['locked: EACCES']);
      // the session is the daemon's now: the crawl's end did not stop it
      expect(l.running).toBe(true);
      l.stop();
      expect(l.running).toBe(true);
      expect(got.stderr).toContain('multisync-daemon: port 1 /root\n');
      expect(got.closed).toBe(false);
      got.stdin!.end();
      expect(await l.closed).toBe(0);
      expect(got.closed).toBe(true);
    });

    test("SRC missing: the mark is the first record, and the pre-flight says why (find's message, not the daemon's answer)", async () => {
      const { start } = daemonStart();
      const body = ['echo "multisync-daemon: port 1 /root" >&2', `printf 'multisync-end 1\\000'`, 'sleep 0.2', `echo "find: '/src': No such file or directory" >&2`, 'echo multisync-end >&2', STAY].join('; ');
      const l = new SourceListing(root, { rsh: rsh(body), oneFileSystem: false }, false, undefined, start);
      const spec = parseRemote(root.base) as Extract<ReturnType<typeof parseRemote>, { kind: 'ssh' }>;
      await expect(checkRemoteSourceListing(l, spec, root)).rejects.toThrow('source not found: host:/src/');
      // (the failed pre-flight stopped it: its daemon goes with it)
      expect(await l.closed).toBeNull();
    });

    test('the connection lost before the mark: the crawl reports the listing as failed', async () => {
      const { start } = daemonStart();
      const body = [`printf 'd 4096 1 1 2 \\000'`, 'echo "ssh: connection lost" >&2', 'exit 255'].join('; ');
      const cfg = { rsh: rsh(body), oneFileSystem: false, sourceListing: undefined as SourceListing | undefined };
      cfg.sourceListing = new SourceListing(root, cfg, false, undefined, start);
      const errors: string[] = [];
      for await (const _ of remoteCrawl(root, cfg, { onError: (_p, err) => errors.push(err.message) }));
      expect(errors.length).toBe(1);
      expect(errors[0]).toContain('ssh: connection lost');
    });
  });
});
