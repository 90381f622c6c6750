// Deterministic dataset generation for the benchmark (see bench/README.md).
// Datasets live in bench/data/<name>/ with a stamp bench/data/<name>.stamp.json;
// generation is skipped when the stamp matches the requested parameters.
import { closeSync, existsSync, lutimesSync, mkdirSync, openSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { DATA_DIR, envInt, fmtBytes, randInt, rmrf, rng } from "./lib-util.ts";

const GENERATOR_VERSION = 1;
const KiB = 1024;
const MiB = 1024 * KiB;
const POOL_SIZE = 16 * MiB;
const BASE_MTIME = Date.UTC(2024, 0, 1) / 1000; // fixed, so trees are identical across machines

export type DatasetName = "small" | "mixed" | "wan" | "crawl" | "million";
export const DATASETS: DatasetName[] = ["small", "mixed", "wan", "crawl", "million"];

export interface DatasetStats {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
}
export interface Stamp {
  version: number;
  params: Record<string, number>;
  stats: DatasetStats;
}

export const datasetDir = (name: DatasetName): string => join(DATA_DIR, name);
const stampPath = (name: DatasetName): string => join(DATA_DIR, `${name}.stamp.json`);

export function datasetParams(name: DatasetName): Record<string, number> {
  switch (name) {
    case "small":
      return { files: envInt("BENCH_SMALL_FILES", 20000) };
    case "mixed":
      return { mb: envInt("BENCH_MIXED_MB", 1024) };
    case "wan":
      return { mb: envInt("BENCH_WAN_MB", 512) };
    case "crawl":
      return { entries: envInt("BENCH_CRAWL_ENTRIES", 200000) };
    case "million":
      return { entries: envInt("BENCH_MEM_ENTRIES", 1000000) };
  }
}

export function readStamp(name: DatasetName): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(stampPath(name), "utf8")) as Stamp;
  } catch {
    return undefined;
  }
}

/** Build a tree writer over a shared random pool; every file gets a unique header. */
function writer(root: string, seed: number) {
  const r = rng(seed);
  const pool = Buffer.allocUnsafe(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i += 4) pool.writeUInt32LE(Math.floor(r() * 4294967296), i);
  const stats: DatasetStats = { files: 0, dirs: 1, symlinks: 0, bytes: 0 };
  const dirs = new Set<string>([root]);
  let n = 0;
  const mkdirp = (d: string) => {
    if (dirs.has(d)) return;
    mkdirp(dirname(d));
    mkdirSync(d);
    dirs.add(d);
    stats.dirs++;
  };
  const mtime = () => BASE_MTIME + n * 7;
  return {
    r,
    stats,
    mkdir: (rel: string) => mkdirp(join(root, rel)),
    file(rel: string, size: number) {
      const p = join(root, rel);
      mkdirp(dirname(p));
      const fd = openSync(p, "w", 0o644);
      let left = size;
      let first = true;
      while (left > 0) {
        const len = Math.min(left, MiB);
        const off = randInt(r, 0, POOL_SIZE - len);
        const chunk = Buffer.from(pool.subarray(off, off + len));
        if (first && len >= 8) chunk.writeBigUInt64LE(BigInt(n) * 2654435761n + BigInt(seed), 0);
        first = false;
        writeSync(fd, chunk);
        left -= len;
      }
      closeSync(fd);
      utimesSync(p, mtime(), mtime());
      n++;
      stats.files++;
      stats.bytes += size;
    },
    symlink(rel: string, target: string) {
      const p = join(root, rel);
      mkdirp(dirname(p));
      symlinkSync(target, p);
      lutimesSync(p, BASE_MTIME, BASE_MTIME);
      stats.symlinks++;
    },
    /** Give every directory a fixed mtime, deepest first (writing files changed them). */
    finish() {
      const all = [...dirs].sort((a, b) => b.split("/").length - a.split("/").length);
      for (const d of all) utimesSync(d, BASE_MTIME, BASE_MTIME);
    },
  };
}

type W = ReturnType<typeof writer>;
const nestedDir = (w: W, fanout: number, maxDepth: number): string => {
  const depth = randInt(w.r, 1, maxDepth);
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) parts.push(`d${String(randInt(w.r, 0, fanout - 1)).padStart(2, "0")}`);
  return parts.join("/");
};

function genSmall(w: W, p: Record<string, number>) {
  for (let i = 0; i < p.files!; i++) w.file(`${nestedDir(w, 10, 3)}/f${i}.dat`, randInt(w.r, 1 * KiB, 8 * KiB));
}

function genMixed(w: W, p: Record<string, number>) {
  const total = p.mb! * MiB;
  // ~50% in a few 50-100 MiB files (one smaller file when the budget is < 50 MiB).
  let big = Math.floor(total * 0.5);
  if (big < 50 * MiB) {
    if (big > 0) w.file("big/b0.bin", big);
    big = 0;
  }
  for (let i = 0; big >= 50 * MiB; i++) {
    const size = Math.min(big, randInt(w.r, 50, 100) * MiB);
    w.file(`big/b${i}.bin`, size);
    big -= size;
  }
  // ~40% in 1-8 MiB files, the rest (~10%+) in 1-64 KiB files (log-uniform, mostly small).
  let medium = Math.floor(total * 0.4) + big;
  for (let i = 0; medium > 0; i++) {
    const size = Math.min(medium, randInt(w.r, 1 * MiB, 8 * MiB));
    w.file(`media/${nestedDir(w, 6, 2)}/m${i}.bin`, size);
    medium -= size;
  }
  let small = total - w.stats.bytes;
  for (let i = 0; small > 0; i++) {
    const size = Math.min(small, Math.max(1, Math.floor(KiB * 2 ** (w.r() * 6))));
    w.file(`src/${nestedDir(w, 10, 4)}/s${i}.txt`, size);
    small -= size;
  }
  // A few edge cases every tool must copy like `rsync -a` does.
  for (let i = 0; i < 10; i++) w.mkdir(i % 2 ? `empty/e${i}/inner` : `empty/e${i}`);
  for (let i = 0; i < 10; i++) w.symlink(`links/l${i}`, `../src/missing-target-${i}`);
  w.symlink("links/to-media", "../media");
  for (const name of ["with space.txt", "ünïcödé.txt", "quote'name.txt", "-leading-dash.txt", "tab\there.txt", "star*.txt"])
    w.file(`odd names/${name}`, 100);
  w.file("zero/empty.dat", 0);
}

/**
 * The per-stream-limited row's data: mixed sizes, but no file above 1/16 of the total, so the
 * largest single stream is not what bounds N parallel ones: ~40% in 4-32 MiB files, ~40% in
 * 256 KiB-4 MiB files, the rest in 1-64 KiB files.
 */
function genWan(w: W, p: Record<string, number>) {
  const total = p.mb! * MiB;
  const largest = Math.max(MiB, Math.min(32 * MiB, Math.floor(total / 16)));
  let large = Math.floor(total * 0.4);
  for (let i = 0; large > 0; i++) {
    const size = Math.min(large, randInt(w.r, Math.min(4 * MiB, largest), largest));
    w.file(`large/${nestedDir(w, 4, 1)}/l${i}.bin`, size);
    large -= size;
  }
  let medium = Math.floor(total * 0.4);
  for (let i = 0; medium > 0; i++) {
    const size = Math.min(medium, randInt(w.r, 256 * KiB, 4 * MiB));
    w.file(`medium/${nestedDir(w, 8, 2)}/m${i}.bin`, size);
    medium -= size;
  }
  let small = total - w.stats.bytes;
  for (let i = 0; small > 0; i++) {
    const size = Math.min(small, Math.max(1, Math.floor(KiB * 2 ** (w.r() * 6))));
    w.file(`small/${nestedDir(w, 10, 3)}/s${i}.txt`, size);
    small -= size;
  }
}

/** Many entries, no data to speak of: `dirs` directories of empty files (crawl and memory rows). */
function genEntries(root: string, entries: number, perDir: number): DatasetStats {
  const stats: DatasetStats = { files: 0, dirs: 1, symlinks: 0, bytes: 0 };
  const dirs = Math.ceil(entries / perDir);
  for (let d = 0; d < dirs; d++) {
    const dir = join(root, `d${String(Math.floor(d / 100)).padStart(3, "0")}`, `d${String(d).padStart(5, "0")}`);
    mkdirSync(dir, { recursive: true });
    if (d % 100 === 0) stats.dirs++;
    stats.dirs++;
    for (let f = 0; f < perDir && stats.files < entries; f++) {
      // a few bytes in some files, so sizes are not all zero
      const size = f % 7;
      const fd = openSync(join(dir, `f${f}`), "w", 0o644);
      if (size) writeSync(fd, Buffer.alloc(size, 0x61));
      closeSync(fd);
      stats.files++;
      stats.bytes += size;
    }
  }
  return stats;
}

/** Generate `name` unless a matching stamp says it already exists. Returns the stamp. */
export function ensureDataset(name: DatasetName, log: (s: string) => void = console.log): Stamp {
  const params = datasetParams(name);
  const dir = datasetDir(name);
  const old = readStamp(name);
  if (old && old.version === GENERATOR_VERSION && JSON.stringify(old.params) === JSON.stringify(params) && existsSync(dir)) {
    log(`dataset ${name}: up to date (${JSON.stringify(params)}), skipping`);
    return old;
  }
  const tmp = `${dir}.tmp`;
  rmrf(tmp);
  rmrf(dir);
  rmrf(stampPath(name));
  mkdirSync(tmp, { recursive: true });
  const t0 = performance.now();
  let stats: DatasetStats;
  if (name === "crawl" || name === "million") {
    stats = genEntries(tmp, params.entries!, name === "crawl" ? 100 : 1000);
  } else {
    const w = writer(tmp, name === "small" ? 0x5eed01 : name === "mixed" ? 0x5eed02 : 0x5eed03);
    (name === "small" ? genSmall : name === "mixed" ? genMixed : genWan)(w, params);
    w.finish();
    stats = w.stats;
  }
  renameSync(tmp, dir);
  utimesSync(dir, BASE_MTIME, BASE_MTIME);
  const stamp: Stamp = { version: GENERATOR_VERSION, params, stats };
  writeFileSync(stampPath(name), JSON.stringify(stamp, null, 2) + "\n");
  const s = stats;
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  log(`dataset ${name}: generated ${s.files} files, ${s.dirs} dirs, ${s.symlinks} symlinks, ${fmtBytes(s.bytes)} in ${secs}s -> ${relative(process.cwd(), dir)}`);
  return stamp;
}
