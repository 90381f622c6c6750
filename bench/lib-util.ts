// Small helpers shared by the bench scripts: process spawning (argv arrays only,
// never a shell string), timing, statistics and formatting.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HZ, watchTree } from "./lib-proc.ts";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(BENCH_DIR, "..");
/** The bun that `npm install` brought (runs the checkout, the crawl lister and the binary build). */
export const BUN = join(REPO_ROOT, "node_modules/.bin/bun");
export const DATA_DIR = resolve(BENCH_DIR, "data");
export const OUT_DIR = resolve(BENCH_DIR, "out");
/**
 * Where a scenario with `ram` puts DST and WORK: a tmpfs (/dev/shm), so that the receiving
 * end's disk writeback, which on a real WAN runs on the far host's CPUs, does not share this
 * machine's cores with the sender, the relay and both ssh ends. bench/out when there is none.
 */
export const RAM_DIR = existsSync("/dev/shm") ? "/dev/shm/multisync-bench" : OUT_DIR;
/** Where the disk scenarios' DSTs go: bench/out, or with BENCH_LOOP_FS a fresh ext4 mounted at bench/out/disk (lib-diskfs.ts). */
export const DISK_DIR = process.env.BENCH_LOOP_FS ? join(OUT_DIR, "disk") : OUT_DIR;

export interface RunResult {
  code: number | null; // null when killed by a signal / never started
  signal: string | null;
  seconds: number;
  stdoutTail: string;
  stderrTail: string;
  spawnError?: string;
  timedOut: boolean;
  /** CPU seconds of the whole command (every process it waited for), from /usr/bin/time. */
  cpuSeconds?: number;
  /**
   * CPU seconds the whole machine spent while the command ran (/proc/stat): over ssh to this
   * machine also the far end (sshd, the login shells, the far rsyncs) and ssh's ControlPersist
   * masters, which no process tree holds (they leave it when they go to the background).
   */
  boxCpuSeconds?: number;
  /** With watch: peak of the summed RSS of the process tree (bytes), multisync's own CPU (ms). */
  peakRssBytes?: number;
  peakPssBytes?: number;
  /** CPU of the processes named bun or multisync (the checkout or the binary), ms. */
  bunCpuMs?: number;
}

const TIME = "/usr/bin/time";

/** CPU seconds the machine has spent busy (user, nice, system, irq, softirq, steal) since boot, or undefined. */
export function boxCpu(): number | undefined {
  try {
    const f = readFileSync("/proc/stat", "latin1").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / HZ;
  } catch {
    return undefined;
  }
}

const TAIL = 4096;
const keepTail = (acc: string, chunk: Buffer): string => {
  const s = acc + chunk.toString("utf8");
  return s.length > TAIL ? s.slice(s.length - TAIL) : s;
};

/**
 * Run argv[0] with argv[1..], time it wall-clock, keep the last few KiB of
 * stdout/stderr. The child gets its own process group so a timeout can kill
 * the whole tree it started (e.g. fpsync's / msrsync's rsync children).
 */
export function timedRun(
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutSec: number; watch?: boolean; pss?: boolean; stdoutToNull?: boolean },
): Promise<RunResult> {
  // /usr/bin/time reports the CPU of the command and of every process it waited for
  const cpuDir = existsSync(TIME) ? mkdtempSync(join(tmpdir(), "bench-cpu-")) : undefined;
  const cpuFile = cpuDir && join(cpuDir, "cpu");
  if (cpuFile) argv = [TIME, "-f", "%U %S", "-o", cpuFile, ...argv];
  return new Promise((done) => {
    const t0 = performance.now();
    const box0 = boxCpu();
    let out = "";
    let err = "";
    let timedOut = false;
    let settled = false;
    const finish = (r: Omit<RunResult, "seconds" | "stdoutTail" | "stderrTail" | "timedOut">) => {
      if (settled) return;
      settled = true;
      const seconds = (performance.now() - t0) / 1000;
      const box1 = boxCpu();
      const boxCpuSeconds = box0 !== undefined && box1 !== undefined ? box1 - box0 : undefined;
      clearTimeout(timer);
      watch?.stop();
      let cpuSeconds: number | undefined;
      if (cpuFile) {
        try {
          const m = /([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(cpuFile, "utf8"));
          if (m) cpuSeconds = Number(m[1]) + Number(m[2]);
        } catch {
          /* no report: the command did not run */
        }
        rmSync(cpuDir!, { recursive: true, force: true });
      }
      done({ ...r, seconds, stdoutTail: out, stderrTail: err, timedOut, cpuSeconds, boxCpuSeconds, peakRssBytes: watch?.peakRss(), peakPssBytes: watch?.peakPss(), bunCpuMs: watch?.cpuOf(/^(bun|multisync)$/) });
    };
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? process.env,
      // stdoutToNull: stdout is /dev/null itself (a lister's output, as `> /dev/null` gives it)
      stdio: ["ignore", opts.stdoutToNull ? "ignore" : "pipe", "pipe"],
      detached: true,
    });
    const watch = opts.watch && child.pid ? watchTree(child.pid, 25, opts.pss) : undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, opts.timeoutSec * 1000);
    child.stdout?.on("data", (c: Buffer) => (out = keepTail(out, c)));
    child.stderr!.on("data", (c: Buffer) => (err = keepTail(err, c)));
    child.on("error", (e) => finish({ code: null, signal: null, spawnError: String(e) }));
    child.on("close", (code, signal) => finish({ code, signal: signal ?? null }));
  });
}

/** Synchronous capture for short helper commands (versions, verification). */
export function capture(argv: string[], cwd = REPO_ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}

export function rmrf(path: string): void {
  if (existsSync(path)) rmSync(path, { recursive: true, force: true });
}

/**
 * Clears a DST (or WORK) between runs. On disk it is moved aside into OUT_DIR/trash, removed
 * when the run ends (emptyTrash): ext4 without a journal skips inodes freed in the last 60-300 s when it places
 * new ones (ialloc.c recently_deleted, one inode-table lookup per candidate), so a 20k-file copy
 * made right after a 20k-file tree was removed near it spent 11-17 s of kernel CPU against
 * 1.8 s (perf: find_inode_bit → recently_deleted) — whichever tool ran next paid for the
 * deletions of the run before it. tmpfs (RAM_DIR) has no such cost: removed at once.
 */
let trashed = 0;
const trashDirs = new Set<string>();
export function clearTree(path: string): void {
  if (!existsSync(path)) return;
  if (path.startsWith(`${RAM_DIR}/`) && RAM_DIR !== OUT_DIR) return rmrf(path);
  // (next to the tree: a rename never crosses filesystems)
  const trash = join(dirname(path), "trash");
  mkdirSync(trash, { recursive: true });
  trashDirs.add(trash);
  renameSync(path, join(trash, `${process.pid}-${++trashed}`));
}

/** Removes what clearTree moved aside (when the bench ends). */
export function emptyTrash(): void {
  for (const t of trashDirs) rmrf(t);
  trashDirs.clear();
}

export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmtBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Render an argv the way a reader would type it in a POSIX shell. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

export function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/** Deterministic PRNG (mulberry32): same seed, same dataset, on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
