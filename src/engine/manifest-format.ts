// `multisync plan`: the manifest line formats (rsync --files-from, --from0, robocopy).

/** newline: for `rsync --files-from`; nul: for `rsync --from0 --files-from`; robocopy: Windows. */
export type ManifestFormat = 'newline' | 'nul' | 'robocopy';

/** Why `path` cannot be written in `format`, or null when it can. */
export function unrepresentable(path: Buffer, format: ManifestFormat): string | null {
  if (format === 'nul') return null;
  // rsync ends a --files-from line at '\n' and at '\r' too
  if (path.includes(0x0a)) return 'contains a newline';
  if (path.includes(0x0d)) return 'contains a carriage return';
  if (format === 'robocopy' && path.includes(0x5c)) return 'contains a backslash';
  return null;
}

/** Bytes a line may add to its path ('./' in front, CRLF after). */
export const LINE_OVERHEAD = 4;

/**
 * Writes the manifest line of src[start, end) into out at pos and returns where it ends (out
 * needs end - start + LINE_OVERHEAD bytes of room). rsync formats protect a leading '#' or ';' as
 * './#x', the rule of listPath(); robocopy lines get backslashes and CRLF instead. No allocation:
 * a plan writes millions of lines.
 */
export function writeLine(src: Uint8Array, start: number, end: number, format: ManifestFormat, out: Buffer, pos: number): number {
  const c = src[start];
  if (format !== 'robocopy' && (c === 0x23 || c === 0x3b)) {
    out[pos++] = 0x2e;
    out[pos++] = 0x2f;
  }
  out.set(src.subarray(start, end), pos);
  const stop = pos + (end - start);
  if (format === 'robocopy') {
    for (let k = pos; k < stop; k++) if (out[k] === 0x2f) out[k] = 0x5c;
    out[stop] = 0x0d;
    out[stop + 1] = 0x0a;
    return stop + 2;
  }
  out[stop] = format === 'nul' ? 0 : 0x0a;
  return stop + 1;
}

/** One manifest line as a new Buffer. */
export function manifestLine(path: Buffer, format: ManifestFormat): Buffer {
  const out = Buffer.allocUnsafe(path.length + LINE_OVERHEAD);
  return out.subarray(0, writeLine(path, 0, path.length, format, out, 0));
}

/** manifest-001.txt …; `.from0` for NUL-separated lists (give rsync --from0). */
export function manifestName(index: number, count: number, format: ManifestFormat): string {
  const width = Math.max(3, String(count).length);
  return `manifest-${String(index + 1).padStart(width, '0')}.${format === 'nul' ? 'from0' : 'txt'}`;
}
