// Many small files with deterministic pseudo-random content, spread across
// nested directories: the workload that makes rsync crawl-bound.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

export interface SmallFilesOptions {
  files?: number;
  dirs?: number;
  minSize?: number;
  maxSize?: number;
  seed?: number;
}

export interface SmallFilesResult {
  files: number;
  dirs: number;
  bytes: number;
}

/** mulberry32: a tiny, fast, seedable 32-bit PRNG. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `size` deterministic pseudo-random bytes derived from `seed`. */
export function patternBytes(size: number, seed: number): Buffer {
  const next = prng(seed);
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  return Buffer.from(words.buffer, 0, size);
}

const POOL_SIZE = 1 << 20;
const T0 = 1_600_000_000;

/** Run `worker(i)` for i in [0, n) with at most `limit` in flight. */
async function pool(n: number, limit: number, worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await worker(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}

/**
 * Create `files` files (sizes uniform in [minSize, maxSize]) spread over `root`
 * and `dirs` nested directories below it. Same options, same tree, byte for byte
 * and mtimes included. Each file starts with a unique header when it fits.
 */
export async function makeSmallFilesTree(root: string, opts: SmallFilesOptions = {}): Promise<SmallFilesResult> {
  const files = opts.files ?? 1000;
  const ndirs = Math.max(0, opts.dirs ?? 50);
  const minSize = Math.max(0, opts.minSize ?? 0);
  const maxSize = Math.max(minSize, opts.maxSize ?? 4096);
  const rand = prng(opts.seed ?? 1);

  // Directory i hangs below a random earlier one (or the root), at most 8 deep.
  const dirs: string[] = [''];
  const depth: number[] = [0];
  for (let i = 1; i <= ndirs; i++) {
    let p = rand() % i;
    while (depth[p]! >= 8) p = rand() % i;
    dirs.push(path.join(dirs[p]!, `d${String(i).padStart(4, '0')}`));
    depth.push(depth[p]! + 1);
  }
  await fsp.mkdir(root, { recursive: true });
  await pool(dirs.length, 16, async (i) => {
    await fsp.mkdir(path.join(root, dirs[i]!), { recursive: true });
  });

  const poolBytes = patternBytes(POOL_SIZE + maxSize, (opts.seed ?? 1) ^ 0x5eed);
  const plan = Array.from({ length: files }, (_, j) => {
    const size = minSize + (rand() % (maxSize - minSize + 1));
    return { dir: dirs[rand() % dirs.length]!, size, offset: rand() % POOL_SIZE };
  });
  let bytes = 0;
  await pool(files, 64, async (j) => {
    const { dir, size, offset } = plan[j]!;
    const data = Buffer.from(poolBytes.subarray(offset, offset + size));
    const header = Buffer.from(`file ${j}\n`);
    header.copy(data, 0, 0, Math.min(header.length, size));
    const file = path.join(root, dir, `f${String(j).padStart(6, '0')}.dat`);
    await fsp.writeFile(file, data);
    await fsp.utimes(file, T0 + j, T0 + j);
    bytes += size;
  });
  // Directories last, deepest first, so creating files does not disturb them.
  const order = dirs.map((_, i) => i).sort((x, y) => depth[y]! - depth[x]! || x - y);
  for (const i of order) await fsp.utimes(path.join(root, dirs[i]!), T0 - i - 1, T0 - i - 1);
  return { files, dirs: ndirs, bytes };
}
