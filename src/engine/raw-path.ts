// Raw-byte paths for node:fs. File names are bytes, not text, so paths are
// built as Buffers; but a Buffer is only handed to node:fs when it has to be.
// Deno's node:fs mishandles Buffer paths (an uncaught crash in a recursive
// mkdir) and cannot express non-UTF-8 names at all, while Bun and Node take
// Buffers fine. Valid UTF-8 paths therefore go to node:fs as strings.

const SLASH = Buffer.from('/');

/** `p` as a string when it is valid UTF-8 (lossless), else the raw Buffer. */
export function fsPath(p: Buffer): string | Buffer {
  const s = p.toString('utf8');
  return Buffer.byteLength(s) === p.length && Buffer.from(s).equals(p) ? s : p;
}

/** Join raw path parts with '/'. Empty parts are skipped. */
export function joinRaw(...parts: (string | Buffer)[]): Buffer {
  const bufs = parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)).filter((b) => b.length > 0);
  return Buffer.concat(bufs.flatMap((b, i) => (i ? [SLASH, b] : [b])));
}

/** A Buffer view of `u` (Deno's node:fs returns plain Uint8Arrays for encoding: 'buffer'). */
export const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
