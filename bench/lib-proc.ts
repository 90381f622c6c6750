// Watching a running command's process tree through /proc (Linux): the peak of the summed
// resident memory of every process in the tree, and a process's own CPU time.
import { readdirSync, readFileSync } from "node:fs";

const PAGE = 4096;
const HZ = 100; // USER_HZ: /proc/PID/stat times are in clock ticks

interface ProcInfo {
  ppid: number;
  rssBytes: number;
  /** utime + stime of the process itself (not its children), ms. */
  cpuMs: number;
  comm: string;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const f = stat.slice(close + 2).split(" ");
    // fields after comm: state(0) ppid(1) … utime(11) stime(12) … rss(21)
    return { ppid: Number(f[1]), cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / HZ, rssBytes: Number(f[21]) * PAGE, comm };
  } catch {
    return null;
  }
}

/** Every process below (and including) root. */
export function tree(root: number): Map<number, ProcInfo> {
  const all = new Map<number, ProcInfo>();
  for (const name of readdirSync("/proc")) {
    if (name.charCodeAt(0) > 57) continue;
    const info = readProc(Number(name));
    if (info) all.set(Number(name), info);
  }
  const out = new Map<number, ProcInfo>();
  const want = new Set([root]);
  // parents have lower pids most of the time, but not always: iterate to a fixed point
  for (let changed = true; changed; ) {
    changed = false;
    for (const [pid, info] of all) {
      if (!out.has(pid) && (want.has(pid) || want.has(info.ppid))) {
        out.set(pid, info);
        want.add(pid);
        changed = true;
      }
    }
  }
  return out;
}

export interface TreeWatch {
  /** Peak of the summed RSS of the tree, bytes. */
  peakRss(): number;
  /** Last CPU time seen (ms) of the first process in the tree whose comm matches. */
  cpuOf(comm: RegExp): number;
  stop(): void;
}

/** Samples the tree under `root` every `everyMs` until stop(). */
export function watchTree(root: number, everyMs = 50): TreeWatch {
  let peak = 0;
  const cpu = new Map<number, { comm: string; ms: number }>();
  const sample = () => {
    let sum = 0;
    for (const [pid, p] of tree(root)) {
      sum += p.rssBytes;
      cpu.set(pid, { comm: p.comm, ms: p.cpuMs });
    }
    peak = Math.max(peak, sum);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    peakRss: () => peak,
    cpuOf: (comm) => {
      for (const v of cpu.values()) if (comm.test(v.comm)) return v.ms;
      return 0;
    },
    stop: () => clearInterval(timer),
  };
}
