// Watching a running command's process tree through /proc (Linux): the peak of the summed
// resident memory of every process in the tree, and a process's own CPU time.
import { readdirSync, readFileSync } from "node:fs";

const PAGE = 4096;
export const HZ = 100; // USER_HZ: /proc/PID/stat and /proc/stat times are in clock ticks

interface ProcInfo {
  ppid: number;
  rssBytes: number;
  /** utime + stime of the process itself (not its children), ms. */
  cpuMs: number;
  comm: string;
  /** PF_FORKNOEXEC: forked and not exec'd yet (a vfork child shares its parent's memory). */
  forkedNoExec: boolean;
}

const PF_FORKNOEXEC = 0x40;
/** multisync's own process: the bun (or deno) runtime, or the compiled binary. */
const RUNTIME = /^(bun|bun\.exe|deno|multisync)$/;

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const f = stat.slice(close + 2).split(" ");
    // fields after comm: state(0) ppid(1) … flags(6) … utime(11) stime(12) … rss(21)
    return { ppid: Number(f[1]), cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / HZ, rssBytes: Number(f[21]) * PAGE, comm, forkedNoExec: (Number(f[6]) & PF_FORKNOEXEC) !== 0 };
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

/** Proportional set size (shared pages split between their users), bytes, or 0. */
function pssOf(pid: number): number {
  try {
    const m = /\nPss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "latin1"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface TreeWatch {
  /** Peak of the summed RSS of the tree, bytes. */
  peakRss(): number;
  /** Peak of the summed PSS of the tree (shared pages counted once), bytes. */
  peakPss(): number;
  /** Last CPU time seen (ms) of the first process in the tree whose comm matches. */
  cpuOf(comm: RegExp): number;
  stop(): void;
}

/** Samples the tree under `root` every `everyMs` until stop(). */
export function watchTree(root: number, everyMs = 50, withPss = false): TreeWatch {
  let peak = 0;
  let peakP = 0;
  const cpu = new Map<number, { comm: string; ms: number }>();
  const sample = () => {
    let sum = 0;
    let pss = 0;
    const t = tree(root);
    for (const [pid, p] of t) {
      // a child of multisync's runtime caught between (v)fork and exec shares its parent's
      // memory: not counted twice. The runtime never forks without exec, so the kernel's
      // PF_FORKNOEXEC says so (comparing the two RSS readings missed it whenever another thread
      // changed the parent's RSS between the reads). rsync's own forked helpers (generator,
      // receiver: same comm, never exec'd) have memory of their own and always count.
      const parent = t.get(p.ppid);
      if (parent && parent.comm === p.comm && RUNTIME.test(p.comm) && p.forkedNoExec) continue;
      sum += p.rssBytes;
      if (withPss) pss += pssOf(pid);
      cpu.set(pid, { comm: p.comm, ms: p.cpuMs });
    }
    peak = Math.max(peak, sum);
    peakP = Math.max(peakP, pss);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    peakRss: () => peak,
    peakPss: () => peakP,
    cpuOf: (comm) => {
      for (const v of cpu.values()) if (comm.test(v.comm)) return v.ms;
      return 0;
    },
    stop: () => clearInterval(timer),
  };
}
