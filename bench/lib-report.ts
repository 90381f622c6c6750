// Markdown report (bench/RESULTS.md) and machine description. The blocks between the notes
// markers and between the binary markers (scripts/bench-binary.ts) are kept as they are.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { relative } from "node:path";
import type { DatasetName, Stamp } from "./lib-data.ts";
import { MS_MODE } from "./lib-multisync.ts";
import type { CrawlResult, MemoryResult, TuiResult } from "./lib-rows.ts";
import { capture, DISK_DIR, fmtBytes, median, RAM_DIR, REPO_ROOT } from "./lib-util.ts";

export type Mode = "cold" | "noop";

export interface Scenario {
  name: string;
  part: "local" | "ssh" | "wan" | "wan-disk" | "ram";
  dataset: DatasetName;
  modes: Mode[];
  remote?: "ssh" | "wan";
  /** DST (and WORK) in RAM (lib-util.ts RAM_DIR) instead of bench/out on disk. */
  ram?: boolean;
  /** SRC is on the remote host (`host:SRC/`, a pull) and DST here; only tools that can read a remote SRC run. */
  pull?: boolean;
  label: string;
}

export const SCENARIOS: Scenario[] = [
  { name: "small", part: "local", dataset: "small", modes: ["cold", "noop"], label: "small files, local" },
  { name: "mixed", part: "local", dataset: "mixed", modes: ["cold", "noop"], label: "mixed sizes, local" },
  { name: "small-ssh", part: "ssh", dataset: "small", modes: ["cold", "noop"], remote: "ssh", label: "small files to 127.0.0.1:DST over ssh" },
  { name: "small-ram", part: "ram", dataset: "small", modes: ["cold"], ram: true, label: "small files, local, DST in RAM" },
  { name: "small-ssh-ram", part: "ram", dataset: "small", modes: ["cold"], remote: "ssh", ram: true, label: "small files to 127.0.0.1:DST over ssh, DST in RAM" },
  { name: "small-pull-ram", part: "ram", dataset: "small", modes: ["cold"], remote: "ssh", ram: true, pull: true, label: "small files from 127.0.0.1:SRC over ssh (a pull), DST in RAM" },
  { name: "wan", part: "wan", dataset: "wan", modes: ["cold"], remote: "wan", ram: true, label: "mixed and large files over ssh through the WAN relay, DST in RAM" },
  { name: "wan-disk", part: "wan-disk", dataset: "wan", modes: ["cold"], remote: "wan", label: "the same, DST on disk (only with --only wan-disk)" },
];

export interface Row {
  scenario: string;
  dataset: DatasetName;
  tool: string;
  mode: Mode;
  shown: string;
  /** wall-clock seconds of the runs that succeeded (exit 0 and verified). */
  times: number[];
  /** CPU seconds of each successful run's whole process tree (/usr/bin/time). */
  cpu: number[];
  /** CPU seconds the whole machine spent during each successful run (lib-util.ts boxCpu; absent in older results). */
  boxCpu?: number[];
  /** multisync only: its own CPU seconds, tail seconds and bucket count (JSON summary). */
  selfCpu: number[];
  tail: number[];
  buckets: number[];
  attempted: number;
  failures: string[];
  dirMtimeDiffs: number; // worst run
  rootMtimeRuns: number; // runs whose destination root mtime differed from SRC's
  missing?: string;
}

export const rowLabel = (r: Pick<Row, "tool" | "mode">): string => (r.mode === "cold" ? r.tool : `${r.tool} (no-op re-run)`);

const firstLine = (argv: string[]): string => {
  const r = capture(argv);
  return (r.stdout || r.stderr).split("\n").find((l) => l.trim())?.trim() ?? "unknown";
};

export function machineInfo(msrsync: string | undefined): Record<string, string> {
  const cpu = cpus();
  const gitRev = capture(["git", "rev-parse", "--short", "HEAD"]);
  return {
    nproc: firstLine(["nproc"]),
    cpu: cpu[0] ? `${cpu[0].model} (${cpu.length} logical)` : "unknown",
    memory: fmtBytes(totalmem()),
    kernel: `${firstLine(["uname", "-sr"])} (${firstLine(["uname", "-m"])})`,
    "filesystem (sources, bench/data)": firstLine(["findmnt", "-n", "-o", "FSTYPE,SOURCE,OPTIONS", "-T", "bench/data"]),
    [`filesystem (disk DSTs, ${relative(REPO_ROOT, DISK_DIR)})`]: firstLine(["findmnt", "-n", "-o", "FSTYPE,SOURCE,OPTIONS", "-T", DISK_DIR]),
    rsync: firstLine(["rsync", "--version"]),
    ssh: firstLine(["ssh", "-V"]),
    fpsync: existsSync("/usr/bin/fpsync") ? firstLine(["/usr/bin/fpsync", "-h"]) : "not installed",
    msrsync: msrsync && existsSync(msrsync) ? `${firstLine(["python3", msrsync, "--version"])} (${msrsync})` : "not available",
    python3: firstLine(["python3", "--version"]),
    bun: firstLine([process.execPath, "--version"]),
    "multisync commit": gitRev.code === 0 ? gitRev.stdout.trim() : "(no commit yet)",
    "multisync run as": MS_MODE === "binary" ? "the compiled binary (bench/out/multisync, built by scripts/build-binary.ts at the start of the run)" : "the checkout through bun (BENCH_MULTISYNC=source: node_modules/.bin/bun src/cli.ts)",
  };
}

const fmtS = (x: number | undefined): string => (x === undefined ? "—" : x.toFixed(2));
const pct = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "—" : `${(100 * x).toFixed(1)}%`);

function status(r: Row): string {
  if (r.missing) return `missing: ${r.missing}`;
  const bad = r.failures.length;
  const dm =
    (r.dirMtimeDiffs ? `; ${r.dirMtimeDiffs} dir mtimes differ` : "") +
    (r.rootMtimeRuns ? `; root dir mtime not preserved (${r.rootMtimeRuns}/${r.attempted})` : "");
  if (r.attempted === 0) return "skipped";
  if (bad === r.attempted) return `**failed**: ${r.failures[0]}`;
  if (bad) return `${r.attempted - bad}/${r.attempted} ok; **failed**: ${r.failures[0]}${dm}`;
  return `ok ${r.attempted}/${r.attempted}${dm}`;
}

const NOTES_START = "<!-- notes:start (kept across runs) -->";
const NOTES_END = "<!-- notes:end -->";
const BINARY_START = "<!-- binary:start";
const BINARY_END = "<!-- binary:end -->";

function keptBlock(path: string, start: string, end: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const s = readFileSync(path, "utf8");
  const a = s.indexOf(start);
  const b = s.indexOf(end, a);
  return a >= 0 && b > a ? s.slice(a, b + end.length) : undefined;
}

export interface Report {
  started: Date;
  finished: Date;
  runs: number;
  machine: Record<string, string>;
  stamps: Map<DatasetName, Stamp>;
  rows: Row[];
  commands: string[]; // exact argv per scenario/tool, already shell-quoted
  verifyCmd: string;
  remote?: { sshdPort: number; relayPort?: number; shape?: { delayMs: number; rate: string } };
  crawl?: CrawlResult;
  memory?: MemoryResult;
  tui?: TuiResult;
}

const med = (r: Row | undefined) => (r ? median(r.times) : undefined);
const ratioOf = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : undefined);
const fmtRatio = (x: number | undefined) => (x === undefined ? "—" : `${x.toFixed(2)}×`);
const verdict = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "**met**" : "**not met**");

/** The issue's rows: measured value, target, met or not. */
function issueRows(rep: Report): string[][] {
  const row = (sc: string, tool: string, mode: Mode) => rep.rows.find((r) => r.scenario === sc && r.tool === tool && r.mode === mode);
  const vs = (sc: string, mode: Mode) => {
    const ms = med(row(sc, "multisync", mode));
    const parts = ["rsync", "msrsync", "fpsync"].map((t) => [t, ratioOf(ms, med(row(sc, t, mode)))] as const).filter(([, x]) => x !== undefined);
    return { main: ratioOf(ms, med(row(sc, "rsync", mode))), text: parts.map(([t, x]) => `${fmtRatio(x)} ${t}`).join(", ") || "—" };
  };
  const out: string[][] = [];
  const small = vs("small", "cold");
  out.push(["small files local (" + (rep.stamps.get("small")?.stats.files ?? "?") + " files of 1–8 KiB), cold, -p 4", small.text, "≤ 1.0× one rsync", verdict(small.main === undefined ? undefined : small.main <= 1.0)]);
  // the same copies into RAM: no disk writeback in the way (it makes one rsync into ext4 bimodal here)
  const inRam = (sc: string) => {
    const r = vs(sc, "cold");
    if (r.main !== undefined) out.push(["(the same, DST in RAM)", r.text, "≤ 1.0× one rsync", verdict(r.main <= 1.0)]);
  };
  inRam("small-ram");
  for (const sc of ["small", "mixed"]) {
    const n = vs(sc, "noop");
    out.push([`no-op re-run (${sc})`, n.text, "≤ 1.2× one rsync", verdict(n.main === undefined ? undefined : n.main <= 1.2)]);
  }
  const ssh = vs("small-ssh", "cold");
  out.push(["small files to host:path over ssh (loopback sshd), cold, -p 4", ssh.text, "≤ 1.0× one rsync", verdict(ssh.main === undefined ? undefined : ssh.main <= 1.0)]);
  inRam("small-ssh-ram");
  // (no target of the issue's: the same copy the other way, which fpsync and msrsync cannot make)
  const pull = vs("small-pull-ram", "cold");
  if (pull.main !== undefined) out.push(["(the same, pulled from host:SRC, DST in RAM)", pull.text, "—", "—"]);
  const sshn = vs("small-ssh", "noop");
  out.push(["(the same, no-op re-run over ssh)", sshn.text, "—", "—"]);
  const shape = rep.remote?.shape;
  for (const sc of ["wan", "wan-disk"]) {
    const wanMs = med(row(sc, "multisync", "cold"));
    const wanRs = med(row(sc, "rsync", "cold"));
    if (sc === "wan-disk" && !wanMs && !wanRs) continue;
    const speedup = wanMs && wanRs ? wanRs / wanMs : undefined;
    const others = ["msrsync", "fpsync"].map((t) => [t, med(row(sc, t, "cold"))] as const).filter(([, x]) => x !== undefined && wanRs);
    out.push([
      sc === "wan"
        ? `per-stream-limited link (relay: ${shape ? `${2 * shape.delayMs} ms RTT, ${shape.rate}B/s per connection` : "?"}), ${fmtBytes(rep.stamps.get("wan")?.stats.bytes ?? 0)} mixed and large files, -p 8, DST in RAM`
        : "(the same, DST on this machine's disk)",
      speedup === undefined ? "—" : `${speedup.toFixed(2)}× faster than one rsync${others.length ? ` (${others.map(([t, x]) => `${t} ${(wanRs! / x!).toFixed(2)}×`).join(", ")})` : ""}`,
      sc === "wan" ? "≥ 4× faster than one rsync" : "—",
      sc === "wan" ? verdict(speedup === undefined ? undefined : speedup >= 4) : "—",
    ]);
  }
  if (rep.crawl) {
    const f = median(rep.crawl.find);
    const m = median(rep.crawl.multisync);
    const rate = f && m ? f / m : undefined;
    out.push([`crawl: list ${rep.crawl.entries} entries (names + lstat sizes)`, rate === undefined ? "—" : `${rate.toFixed(2)}× find's rate (${m!.toFixed(3)} s vs ${f!.toFixed(3)} s)`, "≥ 0.9× find's rate", verdict(rate === undefined ? undefined : rate >= 0.9)]);
  } else out.push(["crawl", "—", "≥ 0.9× find's rate", "not measured"]);
  if (rep.memory) {
    const p = rep.memory.peakMiB.length ? Math.max(...rep.memory.peakMiB) : undefined;
    out.push([`memory at ${rep.memory.entries || "?"} entries (--dry-run, whole process tree)`, p === undefined ? "—" : `${p.toFixed(1)} MiB peak RSS`, "< 150 MB", verdict(p === undefined ? undefined : p * 2 ** 20 < 150e6)]);
  } else out.push(["memory at 1M entries", "—", "< 150 MB", "not measured"]);
  const cpuShare = (sc: string) => {
    const r = row(sc, "multisync", "cold");
    if (!r?.selfCpu.length || !r.cpu.length) return undefined;
    return median(r.selfCpu.map((s, i) => s / r.cpu[i]!));
  };
  const boxShare = (sc: string) => {
    const r = row(sc, "multisync", "cold");
    if (!r?.selfCpu.length || !r.boxCpu?.length) return undefined;
    return median(r.selfCpu.map((s, i) => s / r.boxCpu![i]!));
  };
  const scs = ["small", "mixed", "small-ssh", "small-ram", "small-ssh-ram", "small-pull-ram", "wan", "wan-disk"];
  const shares = scs.map((sc) => [sc, cpuShare(sc), boxShare(sc)] as const).filter(([, x]) => x !== undefined);
  const worst = shares.length ? Math.max(...shares.map(([, x]) => x!)) : undefined;
  // (the verdict stays on the process tree's CPU; the box's share, which over ssh also holds the far end, is shown beside it)
  out.push(["multisync's own CPU during a run (cold copies)", shares.map(([sc, x, b]) => `${pct(x)}${b === undefined ? "" : ` / ${pct(b)} of the box`} (${sc})`).join(", ") || "—", "< 10% of the run's CPU", verdict(worst === undefined ? undefined : worst < 0.1)]);
  if (rep.tui) {
    const h = median(rep.tui.headless);
    const t = median(rep.tui.tui);
    const extra = h !== undefined && t !== undefined ? t - h : undefined;
    out.push(["the TUI's extra CPU (small, cold, in a pty)", extra === undefined ? "—" : `+${pct(extra)} of the run's CPU (TUI ${pct(t)} vs headless ${pct(h)})`, "< 5%", verdict(extra === undefined ? undefined : extra < 0.05)]);
  } else out.push(["the TUI's extra CPU", "—", "< 5%", "not measured"]);
  const tails = ["small", "mixed", "small-ssh", "small-ram", "small-ssh-ram", "small-pull-ram", "wan", "wan-disk"]
    .map((sc) => row(sc, "multisync", "cold"))
    .filter((r): r is Row => !!r && r.tail.length > 0)
    .map((r) => `${median(r.tail)!.toFixed(2)} s of ${med(r)!.toFixed(2)} s (${r.scenario}, ${median(r.buckets)} buckets)`);
  out.push(["tail: first idle worker to the end (median)", tails.join("; ") || "—", "no straggler holds the end", tails.length ? "see value" : "not measured"]);
  return out;
}

export function renderReport(rep: Report, path: string): string {
  const L: string[] = [];
  const push = (...s: string[]) => L.push(...s);
  push("# multisync benchmark results", "");
  push(`Generated by \`bun bench/run.ts\` — see bench/README.md. Date: ${rep.started.toISOString()} (took ${((rep.finished.getTime() - rep.started.getTime()) / 60000).toFixed(1)} min).`, "");
  push("## The performance targets", "", "Medians of the runs below; each ratio is multisync's median over the other tool's median on the same tree in the same run (< 1 is faster).", "");
  push("| row | measured | target | |", "|---|---|---|---|");
  for (const r of issueRows(rep)) push(`| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);
  push("", "## Machine", "", "| | |", "|---|---|");
  for (const [k, v] of Object.entries(rep.machine)) push(`| ${k} | ${v.replace(/\|/g, "\\|")} |`);
  push("", "## Datasets", "", "| dataset | parameters | files | dirs | symlinks | total size |", "|---|---|---:|---:|---:|---:|");
  for (const [name, st] of rep.stamps) {
    const s = st.stats;
    push(`| ${name} | \`${JSON.stringify(st.params)}\` | ${s.files} | ${s.dirs} | ${s.symlinks} | ${fmtBytes(s.bytes)} |`);
  }
  push("", `## Copies (median of ${rep.runs} runs, wall-clock seconds)`, "");
  push("Ratio = tool median / `rsync -a` median for the same scenario and mode (< 1 is faster than rsync). CPU = user + system seconds of the whole process tree (median). Box CPU = what the whole machine spent while the run lasted (median): over ssh to this machine that includes the far end (sshd, the login shells and their rc files, the far rsyncs) and ssh's backgrounded ControlPersist masters, which the process tree does not hold; in the WAN rows, the relay as well.", "");
  push("| scenario | row | median s | ratio vs rsync -a | CPU s | box CPU s | runs (s) | status |", "|---|---|---:|---:|---:|---:|---|---|");
  for (const r of rep.rows) {
    const m = median(r.times);
    const base = median(rep.rows.find((x) => x.scenario === r.scenario && x.mode === r.mode && x.tool === "rsync")?.times ?? []);
    const ratio = m !== undefined && base ? (m / base).toFixed(2) : "—";
    const all = r.times.map((t) => t.toFixed(2)).join(", ") || "—";
    push(`| ${r.scenario} | ${rowLabel(r)} | ${fmtS(m)} | ${ratio} | ${fmtS(median(r.cpu))} | ${fmtS(median(r.boxCpu ?? []))} | ${all} | ${status(r).replace(/\|/g, "\\|").replace(/\n/g, " ")} |`);
  }
  const msRows = rep.rows.filter((r) => r.tool === "multisync" && r.selfCpu.length);
  if (msRows.length) {
    push("", "multisync's own numbers (JSON summary): its own CPU (the rsyncs not included), the tail (first idle worker to the end), buckets.", "");
    push("| scenario | mode | own CPU s | share of the run's CPU | share of the box's CPU | tail s | buckets |", "|---|---|---:|---:|---:|---:|---:|");
    for (const r of msRows) {
      const share = median(r.selfCpu.map((s, i) => s / (r.cpu[i] ?? NaN)));
      const boxShare = r.boxCpu?.length ? median(r.selfCpu.map((s, i) => s / (r.boxCpu![i] ?? NaN))) : undefined;
      push(`| ${r.scenario} | ${r.mode} | ${fmtS(median(r.selfCpu))} | ${pct(share)} | ${boxShare === undefined ? "—" : pct(boxShare)} | ${fmtS(median(r.tail))} | ${median(r.buckets) ?? "—"} |`);
    }
  }
  if (rep.crawl) {
    const c = rep.crawl;
    push("", `## Crawl (${c.entries} entries, median of ${c.find.length})`, "");
    push("| lister | median s | entries/s | runs (s) |", "|---|---:|---:|---|");
    for (const [name, xs] of [["`find SRC -printf '%s %p\\0'`", c.find], ["multisync's crawler (`bun bench/crawl-list.ts SRC`)", c.multisync]] as const) {
      const m = median(xs);
      push(`| ${name} | ${fmtS(m)} | ${m ? Math.round(c.entries / m) : "—"} | ${xs.map((x) => x.toFixed(3)).join(", ")} |`);
    }
  }
  if (rep.memory) {
    const m = rep.memory;
    push("", "## Memory", "", `\`${m.cmd}\` over ${m.entries} entries; the RSS of every process of the tree (multisync and its rsyncs) summed every 25 ms, peak.`, "");
    push(`Peak: ${m.peakMiB.map((x) => `${x.toFixed(1)} MiB`).join(", ") || "—"} (summed RSS; shared pages of the rsync binary and libraries count once per process); with shared pages counted once (PSS): ${m.peakPssMiB.map((x) => `${x.toFixed(1)} MiB`).join(", ") || "—"}; run time ${m.seconds.map((x) => `${x.toFixed(1)} s`).join(", ") || "—"}${m.failures.length ? `; failed: ${m.failures.join("; ")}` : ""}.`);
  }
  if (rep.tui) {
    const t = rep.tui;
    push("", "## multisync's CPU, headless and TUI", "", `Cold copy of \`small\`, -p 4. Headless: the JSON summary's cpuMs over the whole tree's CPU. TUI: \`${t.cmd}\`, multisync's CPU sampled from /proc every 25 ms.`, "");
    push(`Headless: ${t.headless.map(pct).join(", ") || "—"}; TUI: ${t.tui.map(pct).join(", ") || "—"}${t.failures.length ? `; ${t.failures.join("; ")}` : ""}.`);
  }
  push("", "## Commands", "", "Exactly as spawned (argv, no shell), from the repository root. DST and WORK are cleared before every cold run (on disk: moved aside, removed when the bench ends); every command runs under `/usr/bin/time -f '%U %S'` for its CPU.", "");
  push("```sh", ...rep.commands, "# after every run (cold and no-op; a remote DST is this machine's directory):", rep.verifyCmd, "```", "");
  push("## Notes", "", ...autoNotes(rep).map((n) => `- ${n}`), "");
  push(keptBlock(path, NOTES_START, NOTES_END) ?? `${NOTES_START}\n- (add observations here; this block survives re-runs of the harness)\n${NOTES_END}`, "");
  const binary = keptBlock(path, BINARY_START, BINARY_END);
  if (binary) push(binary, "");
  return L.join("\n");
}

function autoNotes(rep: Report): string[] {
  const shape = rep.remote?.shape;
  return [
    "\"Cold\" means a fresh, non-existent destination (dst-<tool> is cleared before every run: on disk it is moved aside into a trash directory beside it, removed when the bench ends, because ext4 without a journal skips inodes freed in the last 60-300 s when it places new ones, one inode-table lookup each, and a copy made right after a big tree was removed spent 11-17 s of kernel CPU instead of 1.8 s; with BENCH_LOOP_FS the disk DSTs are on a fresh ext4 loop-mounted at bench/out/disk for the run, see the machine table). The page cache is NOT dropped: the source tree is most likely warm in RAM, so these numbers measure per-file overhead and parallelism rather than disk reads. Every timed run starts right after `sync`, so no run pays for the disk writeback of the runs before it (a run's own writeback after it exits is not timed).",
    "\"No-op re-run\" runs the same command again into the complete destination it just produced (nothing to copy; measures crawl + compare cost).",
    `Every run is interleaved: each iteration runs every tool once per scenario (cold, then its no-op re-run), ${rep.runs} iterations. Parallelism is 4 (8 on the WAN row) for every parallel tool on a ${rep.machine.nproc}-core machine.`,
    "Remote rows: DST is `127.0.0.1:/abs/path`, served by a throwaway sshd on 127.0.0.1 (test/e2e/sshd.ts: fresh host and client keys in a temp dir, shown as $KEYDIR). rsync and multisync get the ssh command with -e; fpsync and msrsync split their rsync options at spaces, so they get it in RSYNC_RSH. msrsync checks DST as a local path, so it runs in WORK where `127.0.0.1:/abs/path` exists as an (unused) local directory.",
    shape
      ? `WAN row: ssh goes through bench/relay.ts on 127.0.0.1, which delays every chunk by ${shape.delayMs} ms each way (${2 * shape.delayMs} ms RTT) and serializes each TCP connection at ${shape.rate}B/s per direction (this kernel has no tc netem/fq). One rsync is one ssh connection, so it is held to that rate; a tool that opens N connections can get N times it. Every tool's DST for this row is in RAM (${RAM_DIR}, a tmpfs): both ends of the "WAN" share this machine's cores with the relay and both ssh ends, and writing 512 MiB to ext4 costs the kernel's writeback threads ~4.6 CPU-s on this box (measured per process during one run), CPU a real far end spends on its own machine. The same row with DST on disk runs with \`--only wan-disk\` and shows as "(the same, DST on this machine's disk)" when measured.`
      : "WAN row: not run.",
    "Partition sizing is each tool's default: fpsync 2000 files / 4 GiB per job, msrsync 1000 files / 1 GiB per bucket; multisync plans its own (bucketer.ts).",
    "fpsync refuses -a/-r inside -o (it recurses itself with fpart + `rsync -d`), so `-o \"-lptgoD\"` is the exact `rsync -a` equivalent. It always `sleep 1`s after the fpart crawl and polls its job queue every 0.2 s, so no fpsync run takes less than ~1.3 s.",
    "msrsync: `-r/--rsync` must be the last option and replaces msrsync's default `-aS --numeric-ids`; msrsync always adds `--from0 --files-from --quiet --verbose --stats --log-file`. We use msrsync3 (the python3 port) from jbd/msrsync.",
    "Verification after every run: the listed rsync dry-run must print nothing except `.d..t...... ./` (root dir mtime: tolerated, but reported in the status column). Other lines fail the run; sub-directory mtime-only lines are counted in the status column and only fail the run with BENCH_STRICT_DIR_MTIME=1.",
    "Failed runs are excluded from the median; a row with no successful run shows —.",
  ];
}

export function writeReport(rep: Report, path: string): void {
  writeFileSync(path, renderReport(rep, path));
}
