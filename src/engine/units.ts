// Size parsing and human formatting (1024-based, as msrsync and rsync do).

const SUFFIX: Record<string, number> = { K: 1, M: 2, G: 3, T: 4, P: 5 };

/** Parses "1G", "512M", "10k", "4096" into bytes. Throws on anything else, and on 0. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGTP])(?:i?B)?|B)?\s*$/i.exec(text);
  if (!m) throw new Error(`invalid size '${text}' (expected a number with an optional K, M, G, T or P suffix)`);
  const value = Number(m[1]) * 1024 ** (m[2] ? SUFFIX[m[2].toUpperCase()] : 0);
  if (!Number.isFinite(value) || value < 1) throw new Error(`invalid size '${text}' (must be at least 1 byte)`);
  return Math.floor(value);
}

/** Parses a strictly positive integer option value. */
export function parsePositiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim())) throw new Error(`invalid ${what} '${text}' (expected a positive whole number)`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`invalid ${what} '${text}' (must be at least 1)`);
  return n;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) bytes = 0;
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[i]}`;
}

export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

/** 3723000 → "1h02m03s", 63000 → "1m03s", 4200 → "4.2s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  // below 59.95 s: toFixed(1) would round 59.95..59.99 up to a non-canonical "60.0s"
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}h` : ''}${mm}m${String(sec).padStart(2, '0')}s`;
}
