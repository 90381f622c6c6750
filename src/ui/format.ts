// Pure formatting helpers for the TUI: sizes, rates, counts, durations,
// fractions and bar graphics. No React, no Ink: everything here is table-tested
// in test/ui/format.test.ts. Measuring and fitting text into terminal columns
// lives in terminal-columns.ts, re-exported here.

export { cell, sanitize, stringWidth, truncateEnd, truncateMiddle, truncateStart } from './terminal-columns.ts';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** 1024-based size: `0 B`, `512 B`, `1.5 KiB`, `12.3 MiB`. At most 10 columns. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1024) return `${Math.floor(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let text = value.toFixed(1);
  // 1023.96 KiB rounds to "1024.0 KiB": show it as 1.0 MiB instead.
  if (text === '1024.0' && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
    text = value.toFixed(1);
  }
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second: `12.3 MiB/s`. At most 12 columns. */
export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

/** Integer with thousands separators (locale independent): `1,234,567`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.floor(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const COMPACT_UNITS = ['', 'k', 'M', 'G', 'T'] as const;

/** Short count for narrow columns: `999`, `1.2k`, `123k`, `4.5M`. At most 4 columns. */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1000) return String(Math.floor(n));
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < COMPACT_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  let text = value < 9.95 ? value.toFixed(1) : String(Math.round(value));
  if (text === '1000' && unit < COMPACT_UNITS.length - 1) {
    unit++;
    text = '1.0';
  }
  return `${text}${COMPACT_UNITS[unit]}`;
}

/** Files per second: `0.5 files/s`, `1,234 files/s`. */
export function formatFileRate(filesPerSec: number): string {
  if (!Number.isFinite(filesPerSec) || filesPerSec < 0) return '? files/s';
  const text = filesPerSec < 10 ? filesPerSec.toFixed(1) : formatCount(Math.round(filesPerSec));
  return `${text} files/s`;
}

/** Fraction as a percentage, rounded down so 99.99% never shows as 100.0%. */
export function formatPercent(fraction: number): string {
  const f = clampFraction(fraction);
  return `${(Math.floor(f * 1000) / 10).toFixed(1)}%`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `5s`, `2m03s`, `1h02m03s`, `2d03h04m`; `--` when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '--';
  const total = Math.floor(ms / 1000);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600) % 24;
  const d = Math.floor(total / 86400);
  if (total < 60) return `${s}s`;
  if (total < 3600) return `${m}m${pad2(s)}s`;
  if (d === 0) return `${h}h${pad2(m)}m${pad2(s)}s`;
  return `${d}d${pad2(h)}h${pad2(m)}m`;
}

export function clampFraction(fraction: number): number {
  if (!Number.isFinite(fraction) || fraction <= 0) return 0;
  return fraction >= 1 ? 1 : fraction;
}

/** done/total as a fraction in [0, 1]; 0 when the total is unknown. */
export function ratio(done: number, total: number): number {
  return total > 0 ? clampFraction(done / total) : 0;
}

// ---------------------------------------------------------------------------
// Graphics

export const SPARK_CHARS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` values as a sparkline scaled from 0 to their maximum,
 * right-aligned (padded with spaces on the left) to exactly `width` columns.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return '';
  const recent = values.slice(-width).map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  const max = recent.reduce((a, b) => (b > a ? b : a), 0);
  const top = SPARK_CHARS.length - 1;
  const bars = recent.map((v) => SPARK_CHARS[max === 0 ? 0 : Math.round((v / max) * top)]);
  return ' '.repeat(width - recent.length) + bars.join('');
}

/** `#####.....`: filled part rounded down, so the bar is full only at 100%. */
export function progressBar(fraction: number, width: number): string {
  if (width <= 0) return '';
  const filled = Math.floor(clampFraction(fraction) * width);
  return '#'.repeat(filled) + '.'.repeat(width - filled);
}
