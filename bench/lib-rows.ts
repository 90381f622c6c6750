// The rows that are not "copy SRC to DST with each tool": crawl rate, memory at many entries,
// and the TUI's CPU. Each returns raw numbers; lib-report.ts renders them.
import { join } from "node:path";
import { datasetDir } from "./lib-data.ts";
import { msArgv, msShown } from "./lib-multisync.ts";
import { BENCH_DIR, BUN, clearTree, DISK_DIR, OUT_DIR, timedRun } from "./lib-util.ts";


export interface CrawlResult {
  entries: number;
  find: number[];
  multisync: number[];
  findCmd: string[];
  oursCmd: string[];
}

/** `find SRC -printf '%s %p\0'` vs multisync's crawler printing the same, interleaved. */
export async function crawlRow(runs: number, timeoutSec: number, log: (s: string) => void): Promise<CrawlResult> {
  const src = datasetDir("crawl");
  // (argv, no shell; stdout is /dev/null for both)
  const findCmd = ["find", src, "-printf", "%s %p\\0"];
  const oursCmd = [BUN, join(BENCH_DIR, "crawl-list.ts"), src];
  const quiet = { timeoutSec, stdoutToNull: true };
  const res: CrawlResult = { entries: 0, find: [], multisync: [], findCmd: ["find", "SRC", "-printf", "'%s %p\\0'"], oursCmd: ["bun", "bench/crawl-list.ts", "SRC"] };
  // one warm-up of each (page cache)
  await timedRun(findCmd, quiet);
  const w = await timedRun(oursCmd, quiet);
  res.entries = Number(/(\d+) entries/.exec(w.stderrTail)?.[1] ?? 0);
  for (let i = 0; i < runs; i++) {
    const f = await timedRun(findCmd, quiet);
    const o = await timedRun(oursCmd, quiet);
    if (f.code === 0) res.find.push(f.seconds);
    if (o.code === 0) res.multisync.push(o.seconds);
    log(`  crawl ${i + 1}/${runs}: find ${f.seconds.toFixed(3)}s  multisync ${o.seconds.toFixed(3)}s${o.code ? ` (exit ${o.code})` : ""}`);
  }
  return res;
}

export interface MemoryResult {
  entries: number;
  peakMiB: number[];
  /** The same with shared pages counted once (PSS). */
  peakPssMiB: number[];
  seconds: number[];
  failures: string[];
  cmd: string;
}

/** Peak RSS of the whole process tree of a --dry-run over the `million` dataset. */
export async function memoryRow(runs: number, timeoutSec: number, parallel: number, log: (s: string) => void): Promise<MemoryResult> {
  const src = datasetDir("million");
  const dst = join(OUT_DIR, "dst-memory");
  const argv = msArgv("--json", "--dry-run", "-p", String(parallel), `${src}/`, `${dst}/`);
  const res: MemoryResult = { entries: 0, peakMiB: [], peakPssMiB: [], seconds: [], failures: [], cmd: msShown(`--json --dry-run -p ${parallel} SRC/ DST/`) };
  for (let i = 0; i < runs; i++) {
    clearTree(dst);
    const r = await timedRun(argv, { timeoutSec, watch: true, pss: true });
    const sum = lastJson(r.stdoutTail);
    if (r.code !== 0 || !sum) res.failures.push(`exit ${r.code}: ${r.stderrTail.trim().split("\n").pop() ?? ""}`);
    else {
      res.entries = sum.filesTotal;
      res.peakMiB.push((r.peakRssBytes ?? 0) / 2 ** 20);
      res.peakPssMiB.push((r.peakPssBytes ?? 0) / 2 ** 20);
      res.seconds.push(r.seconds);
    }
    log(`  memory ${i + 1}/${runs}: peak ${((r.peakRssBytes ?? 0) / 2 ** 20).toFixed(1)} MiB RSS (${((r.peakPssBytes ?? 0) / 2 ** 20).toFixed(1)} MiB PSS) over the process tree, ${r.seconds.toFixed(1)}s${r.code ? ` (exit ${r.code})` : ""}`);
  }
  clearTree(dst);
  return res;
}

export interface TuiResult {
  /** multisync's own CPU as a fraction of the run's total CPU, headless (JSON cpuMs) and TUI (sampled). */
  headless: number[];
  tui: number[];
  failures: string[];
  cmd: string;
}

/** A cold copy of `small` headless, then in the TUI (in a pseudo-terminal, pty-run.py). */
export async function tuiRow(runs: number, timeoutSec: number, parallel: number, log: (s: string) => void): Promise<TuiResult> {
  const src = datasetDir("small");
  const dst = join(DISK_DIR, "dst-tui");
  const res: TuiResult = { headless: [], tui: [], failures: [], cmd: "" };
  // a terminal of its own, argv as it is (pty-run.py: no shell between)
  const pty = ["python3", join(BENCH_DIR, "pty-run.py"), "120", "40"];
  res.cmd = `python3 bench/pty-run.py 120 40 ${msShown(`-p ${parallel} SRC/ DST/`)}  (TERM=xterm-256color)`;
  for (let i = 0; i < runs; i++) {
    clearTree(dst);
    const h = await timedRun(msArgv("--json", "-p", String(parallel), `${src}/`, `${dst}/`), { timeoutSec });
    const sum = lastJson(h.stdoutTail);
    if (h.code === 0 && sum && h.cpuSeconds) res.headless.push(sum.cpuMs / 1000 / h.cpuSeconds);
    clearTree(dst);
    const t = await timedRun([...pty, ...msArgv("-p", String(parallel), `${src}/`, `${dst}/`)], {
      timeoutSec,
      watch: true,
      env: { ...process.env, TERM: "xterm-256color" },
    });
    if (t.code === 0 && t.cpuSeconds && t.bunCpuMs) res.tui.push(t.bunCpuMs / 1000 / t.cpuSeconds);
    else res.failures.push(`TUI run exit ${t.code}`);
    log(`  cpu ${i + 1}/${runs}: headless ${pct(res.headless.at(-1))}, TUI ${pct(res.tui.at(-1))} of the run's CPU`);
  }
  clearTree(dst);
  return res;
}

const pct = (x: number | undefined) => (x === undefined ? "—" : `${(100 * x).toFixed(1)}%`);

/** The last JSON line of a multisync --json run (its summary). */
export function lastJson(stdout: string): Record<string, any> | undefined {
  const lines = stdout.trim().split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const o = JSON.parse(lines[i]);
      if (o.type === "summary") return o;
    } catch {
      /* a partial first line of the tail */
    }
  }
  return undefined;
}
