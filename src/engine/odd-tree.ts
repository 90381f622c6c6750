// A deterministic test tree full of things that break naive copy tools:
// hostile names (raw bytes, newlines, leading dashes, comment characters),
// special files, sparse files, special permission bits and distinct mtimes.
import { promises as fsp } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { patternBytes } from './small-files-tree.ts';
import { asBuffer, fsPath, joinRaw } from './raw-path.ts';

export { makeSmallFilesTree, type SmallFilesOptions, type SmallFilesResult } from './small-files-tree.ts';

export interface OddTreeOptions {
  /** Apparent size of the sparse file (default 64 MiB). */
  sparseSize?: number;
  /** Nesting depth of the deep path (default 40). */
  deep?: number;
}

type Name = string | Buffer;
const B = (p: Name): Buffer => (typeof p === 'string' ? Buffer.from(p) : p);
/** Joined path, in the form node:fs should get it (see raw-path.ts). */
const join = (...parts: Name[]): string | Buffer => fsPath(joinRaw(...parts));

/** Names that are plain files at the top level (and again under `odd-names/`). */
const HOSTILE_NAMES: Name[] = [
  'name with spaces.txt', ' leading space', 'trailing space ', 'new\nline.txt', 'tab\there.txt', 'cr\rhere',
  '-rf', '--delete', '-e ssh', '#comment.txt', ';semicolon.txt', '+ plus rule', '- minus rule',
  "it's", 'say "hi"', '*?[', 'star*', 'question?', '[bracket', 'back\\slash', '\\', '$(x)', '`x`', '$HOME',
  'host:colon', '~tilde', '...', '=equals', 'emoji-\u{1f600}', 'nfc-\u00e9', 'nfd-e\u0301', '\u00e9', 'e\u0301',
  Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]), // "bad\xff\xfe": not UTF-8
  Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0x2d, 0xe9]), // latin1 "latin1-é"
  'a'.repeat(255),
  '\u00e9'.repeat(127) + 'x', // 255 bytes of multibyte UTF-8
];

async function write(path: string | Buffer, data: Buffer | string): Promise<void> {
  await fsp.writeFile(path, data);
}

async function makeSparse(path: string | Buffer, size: number): Promise<void> {
  const fh = await fsp.open(path, 'w');
  try {
    await fh.truncate(size);
    const head = Buffer.from('sparse file start\n');
    const tail = Buffer.from('\nsparse file end');
    await fh.write(head, 0, head.length, 0);
    if (size >= head.length + tail.length) await fh.write(tail, 0, tail.length, size - tail.length);
  } finally {
    await fh.close();
  }
}

/** Can this runtime create a non-UTF-8 name and read it back intact? */
async function rawNamesWork(root: Buffer): Promise<boolean> {
  await fsp.mkdir(fsPath(root), { recursive: true });
  const probe = Buffer.from([0x2e, 0x72, 0x61, 0x77, 0xff]); // ".raw\xff"
  await fsp.writeFile(fsPath(joinRaw(root, probe)), '');
  const listed = await fsp.readdir(fsPath(root), { encoding: 'buffer' });
  const ok = listed.some((n) => asBuffer(n).equals(probe));
  const mangled = ok ? [probe] : listed.map(asBuffer).filter((n) => n.equals(Buffer.from('.raw\ufffd')));
  for (const n of mangled) await fsp.rm(fsPath(joinRaw(root, n)), { force: true });
  return ok;
}

function mkfifo(path: string | Buffer): void {
  const r = spawnSync('mkfifo', ['-m', '0644', '--', path.toString()], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`mkfifo ${path.toString()} failed: ${r.stderr?.toString().trim()}`);
}

/** Create the odd tree under `root` (created if needed). Deterministic, including all mtimes. */
export async function makeOddTree(root: string, opts: OddTreeOptions = {}): Promise<void> {
  const sparseSize = opts.sparseSize ?? 64 * 1024 * 1024;
  const depth = opts.deep ?? 40;
  const r = Buffer.from(root);
  const mkdir = async (...p: Name[]) => {
    const d = join(r, ...p);
    // Only raw (non-UTF-8) names arrive as Buffers, and node:fs in some runtimes
    // rejects a Buffer in a recursive mkdir; their parent exists anyway.
    await fsp.mkdir(d, { recursive: typeof d === 'string' });
  };
  const modes = new Map<string, number>(); // latin1 relative path -> mode
  const mode = (rel: Name, m: number) => modes.set(B(rel).toString('latin1'), m);

  // Some runtimes (Deno) cannot create non-UTF-8 names: they come out mangled
  // (U+FFFD). There the tree simply has no raw-byte names.
  const raw = await rawNamesWork(r);
  const names = HOSTILE_NAMES.filter((n) => raw || typeof n === 'string');

  await mkdir('odd-names');
  await mkdir('#dir');
  await mkdir(';dir');
  await mkdir('--dir');
  for (const [i, n] of names.entries()) {
    await write(join(r, n), `top-level file ${i}\n`);
    await write(join(r, 'odd-names', n), `nested file ${i}\n`);
  }
  await write(join(r, '#dir', '#inner'), 'hash inside hash dir\n');
  await write(join(r, ';dir', ';inner'), 'semicolon inside semicolon dir\n');
  await write(join(r, '--dir', '--inner'), 'dashes inside dashes dir\n');
  if (raw) {
    const badDir = Buffer.from([0x64, 0x69, 0x72, 0xfe]); // "dir\xfe"
    await mkdir(badDir);
    await write(join(r, badDir, Buffer.from([0x66, 0xff])), 'non-UTF-8 file in non-UTF-8 dir\n');
  }

  // Sizes.
  await mkdir('sizes');
  await write(join(r, 'sizes', 'empty'), '');
  await write(join(r, 'sizes', 'one-byte'), 'x');
  await write(join(r, 'sizes', 'small'), patternBytes(100, 1));
  await write(join(r, 'sizes', '4k'), patternBytes(4096, 2));
  await write(join(r, 'sizes', 'medium'), patternBytes(300 * 1024 + 7, 3));
  await write(join(r, 'sizes', 'zeros-128k'), Buffer.alloc(128 * 1024));

  // Deep path.
  const levels = Array.from({ length: depth }, (_, i) => `level-${String(i + 1).padStart(2, '0')}`);
  if (depth > 0) {
    await mkdir('deep', ...levels);
    await write(join(r, 'deep', ...levels, 'bottom.txt'), 'at the bottom\n');
  }

  // Symlinks.
  await mkdir('links');
  await fsp.symlink('../sizes/small', join(r, 'links', 'to-file'));
  await fsp.symlink('../sizes', join(r, 'links', 'to-dir'));
  await fsp.symlink('does/not/exist', join(r, 'links', 'dangling'));
  await fsp.symlink('/etc/passwd', join(r, 'links', 'absolute'));
  await fsp.symlink('../name with spaces.txt', join(r, 'links', 'to spaced name'));
  if (raw) await fsp.symlink(Buffer.from([0x2e, 0x2e, 0x2f, 0x62, 0x61, 0x64, 0xff, 0xfe]), join(r, 'links', 'to-non-utf8'));
  await fsp.symlink('-rf', join(r, '-link'));

  // Empty directories, nested too.
  await mkdir('empty');
  await mkdir('nest', 'empty-1', 'empty-2', 'empty-3');

  // Hard links.
  await mkdir('hard');
  await write(join(r, 'hard', 'one'), 'hard-linked content\n');
  await fsp.link(join(r, 'hard', 'one'), join(r, 'hard', 'two'));
  await fsp.link(join(r, 'hard', 'one'), join(r, 'hard', '-three'));

  // Special files.
  await mkdir('special');
  mkfifo(join(r, 'special', 'fifo'));
  await mkdir('sparse');
  await makeSparse(join(r, 'sparse', 'big.sparse'), sparseSize);

  // Permission bits.
  await mkdir('perm', 'setgid-dir');
  await mkdir('perm', 'sticky-dir');
  await write(join(r, 'perm', 'setuid'), '#!/bin/sh\necho setuid\n');
  await write(join(r, 'perm', 'setgid-dir', 'inside'), 'inside setgid dir\n');
  await write(join(r, 'perm', 'sticky-dir', 'inside'), 'inside sticky dir\n');
  await write(join(r, 'perm', 'readonly'), 'read only\n');
  await write(join(r, 'perm', 'private'), 'owner only\n');
  mode('perm/setuid', 0o4755);
  mode('perm/setgid-dir', 0o2755);
  mode('perm/sticky-dir', 0o1777);
  mode('perm/readonly', 0o444);
  mode('perm/private', 0o600);

  await fixModesAndTimes(r, modes);
}

/**
 * Post-order walk (children before their directory, names in byte order):
 * set explicit modes (no umask dependence) and distinct, deterministic mtimes,
 * so directory mtimes are not disturbed by later changes below them.
 */
async function fixModesAndTimes(root: Buffer, modes: Map<string, number>): Promise<void> {
  let n = 0;
  const stamp = async (abs: Buffer, rel: Buffer, isLink: boolean, isDir: boolean) => {
    const i = n++;
    const t = 1_500_000_000 + i * 3607 + (i % 4) * 0.25; // quarter seconds: exact in a double
    if (isLink) return fsp.lutimes(fsPath(abs), t, t);
    await fsp.chmod(fsPath(abs), modes.get(rel.toString('latin1')) ?? (isDir ? 0o755 : 0o644));
    await fsp.utimes(fsPath(abs), t, t);
  };
  const walk = async (abs: Buffer, rel: Buffer): Promise<void> => {
    const names = (await fsp.readdir(fsPath(abs), { encoding: 'buffer' })).map(asBuffer).sort(Buffer.compare);
    for (const name of names) {
      const a = joinRaw(abs, name);
      const rl = joinRaw(rel, name);
      const st = await fsp.lstat(fsPath(a));
      if (st.isDirectory()) await walk(a, rl);
      else await stamp(a, rl, st.isSymbolicLink(), false);
    }
    await stamp(abs, rel, false, true);
  };
  await walk(root, Buffer.alloc(0));
}
