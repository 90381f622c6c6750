// Benchmark harness (run by hand, not part of `bun test`). See bench/README.md.
//   bun bench/run.ts [--runs N] [--only local,ssh,ram,wan,crawl,memory,cpu,wan-disk] [--rows rsync,multisync,...]
//                    [--out FILE] [--timeout SEC] [--checksum]
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type DatasetName, datasetDir, ensureDataset, type Stamp } from "./lib-data.ts";
import { mountDiskFs } from "./lib-diskfs.ts";
import { msMissing } from "./lib-multisync.ts";
import { startRemote, startWan, type Remote } from "./lib-remote.ts";
import { machineInfo, type Mode, type Report, type Row, rowLabel, SCENARIOS, type Scenario, writeReport } from "./lib-report.ts";
import { crawlRow, lastJson, memoryRow, tuiRow } from "./lib-rows.ts";
import { PARALLEL, type RunContext, TOOLS, type Tool, WAN_PARALLEL } from "./lib-tools.ts";
import { BENCH_DIR, clearTree, DISK_DIR, emptyTrash, envInt, median, OUT_DIR, RAM_DIR, REPO_ROOT, rmrf, shellQuote, timedRun } from "./lib-util.ts";
import { describeVerdict, verify, verifyArgv } from "./lib-verify.ts";

const PARTS = ["local", "ssh", "ram", "wan", "crawl", "memory", "cpu", "wan-disk"] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: bun bench/run.ts [--runs N] [--only PARTS] [--rows ROWS] [--out FILE] [--timeout SEC] [--checksum]
  --runs N       runs per row (default env BENCH_RUNS or 3)
  --only PARTS   ${PARTS.join(",")} (default: all but wan-disk); "small"/"mixed" pick the local datasets
  --rows LIST    tools (${TOOLS.map((t) => t.name).join(",")}) and/or single rows such as rsync-cold, fpsync-noop
  --out FILE     markdown report path (default bench/RESULTS.md)
  --timeout SEC  kill a run after SEC seconds (default env BENCH_TIMEOUT or 1800)
  --checksum     verify with rsync --checksum (reads both trees fully; default env BENCH_VERIFY_CHECKSUM=1)`;

function parseArgs(argv: string[]) {
  const o = {
    runs: envInt("BENCH_RUNS", 3),
    parts: PARTS.filter((p) => p !== "wan-disk") as Part[],
    localSets: ["small", "mixed"] as DatasetName[],
    rows: undefined as string[] | undefined,
    out: join(BENCH_DIR, "RESULTS.md"),
    timeout: envInt("BENCH_TIMEOUT", 1800),
    checksum: process.env.BENCH_VERIFY_CHECKSUM === "1",
  };
  const list = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--runs") o.runs = Number.parseInt(val(), 10);
    else if (a === "--only") {
      const want = list(val());
      const sets = want.filter((w) => w === "small" || w === "mixed") as DatasetName[];
      const bad = want.filter((w) => !sets.includes(w as DatasetName) && !PARTS.includes(w as Part));
      if (bad.length) throw new Error(`unknown part(s) ${bad.join(",")} (known: ${PARTS.join(",")},small,mixed)`);
      o.parts = want.filter((w) => PARTS.includes(w as Part)) as Part[];
      if (sets.length) {
        o.localSets = sets;
        if (!o.parts.includes("local")) o.parts.push("local");
      }
    } else if (a === "--rows") o.rows = list(val());
    else if (a === "--out") o.out = resolve(val());
    else if (a === "--timeout") o.timeout = Number.parseInt(val(), 10);
    else if (a === "--checksum") o.checksum = true;
    else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!(o.runs >= 1)) throw new Error("--runs must be >= 1");
  if (!(o.timeout >= 1)) throw new Error("--timeout must be >= 1");
  const known = TOOLS.flatMap((t) => [t.name, `${t.name}-cold`, `${t.name}-noop`]);
  const badRows = (o.rows ?? []).filter((r) => !known.includes(r));
  if (badRows.length) throw new Error(`unknown row(s) ${badRows.join(",")} (known: ${known.join(",")})`);
  return o;
}
type Opts = ReturnType<typeof parseArgs>;

const selected = (rows: string[] | undefined, tool: string, mode: Mode) =>
  !rows || rows.includes(tool) || rows.includes(`${tool}-${mode}`);

const oneLine = (s: string) => s.trim().split("\n").filter(Boolean).slice(-1)[0]?.slice(0, 160) ?? "";

/** Run one timed copy and verify it. Returns undefined on success, else why it failed. */
async function runOnce(tool: Tool, src: string, dst: string, work: string, ctx: RunContext, o: Opts, row: Row) {
  clearTree(work);
  mkdirSync(work, { recursive: true });
  tool.prepare?.(dst, work, ctx);
  // every run starts with the disk's writeback empty: no run pays for the dirty pages of the one
  // before it (an rsync copy right after another tool's took 5 s instead of 1.6 s without this)
  spawnSync("sync");
  const r = await timedRun(tool.argv(src, dst, work, ctx), { timeoutSec: o.timeout, cwd: tool.cwd?.(work, ctx), env: { ...process.env, ...tool.env?.(ctx) } });
  row.attempted++;
  let why: string | undefined;
  let info = "";
  if (r.spawnError) why = `could not start: ${r.spawnError}`;
  else if (r.timedOut) why = `timed out after ${o.timeout}s`;
  else if (r.code !== 0) why = `exit ${r.code ?? r.signal}: ${oneLine(r.stderrTail) || oneLine(r.stdoutTail)}`;
  else {
    // a remote DST is this machine's own directory: compare it locally
    const v = verify(src, dst, { checksum: o.checksum, strictDirMtime: process.env.BENCH_STRICT_DIR_MTIME === "1" });
    row.dirMtimeDiffs = Math.max(row.dirMtimeDiffs, v.dirMtimeOnly);
    if (v.rootMtime) row.rootMtimeRuns++;
    if (v.dirMtimeOnly || v.rootMtime) info = ` (${describeVerdict(v)})`;
    if (!v.ok) why = `verify: ${describeVerdict(v)}${v.sample.length ? ` (e.g. \`${v.sample[0]}\`)` : ""}`;
  }
  if (why) row.failures.push(why);
  else {
    row.times.push(r.seconds);
    if (r.cpuSeconds !== undefined) row.cpu.push(r.cpuSeconds);
    if (r.boxCpuSeconds !== undefined) (row.boxCpu ??= []).push(r.boxCpuSeconds);
    const sum = tool.name === "multisync" ? lastJson(r.stdoutTail) : undefined;
    if (sum) {
      row.selfCpu.push(sum.cpuMs / 1000);
      row.tail.push(sum.tailMs / 1000);
      row.buckets.push(sum.buckets);
    }
  }
  const extra = row.tail.length && !why ? `  tail ${row.tail.at(-1)!.toFixed(2)}s, ${row.buckets.at(-1)} buckets` : "";
  console.log(`  ${rowLabel(row).padEnd(34)} ${r.seconds.toFixed(2).padStart(8)}s  ${why ?? "ok"}${info}${extra}`);
  return why;
}

/** Where a scenario's DST and WORK go (RAM_DIR for `ram` scenarios). */
const outFor = (sc: Scenario) => (sc.ram ? RAM_DIR : DISK_DIR);

/** Every tool, `runs` times interleaved, cold then (if wanted) no-op, for one scenario. */
async function runScenario(sc: Scenario, ctx: RunContext, rows: Row[], o: Opts, iteration: number) {
  console.log(`run ${iteration}/${o.runs} · ${sc.label}`);
  const src = datasetDir(sc.dataset);
  for (const t of TOOLS) {
    const cold = rows.find((r) => r.scenario === sc.name && r.tool === t.name && r.mode === "cold");
    const noop = rows.find((r) => r.scenario === sc.name && r.tool === t.name && r.mode === "noop");
    if (!cold && !noop) continue;
    if ((cold ?? noop)!.missing) {
      if (iteration === 1) console.log(`  ${t.name.padEnd(34)} missing: ${(cold ?? noop)!.missing}`);
      continue;
    }
    const dst = join(outFor(sc), `dst-${t.name}`);
    const work = join(outFor(sc), `work-${t.name}`);
    clearTree(dst);
    const scratch: Row = { ...(cold ?? noop)!, mode: "cold", times: [], cpu: [], boxCpu: [], selfCpu: [], tail: [], buckets: [], attempted: 0, failures: [], dirMtimeDiffs: 0, rootMtimeRuns: 0 };
    const coldFailed = await runOnce(t, src, dst, work, ctx, o, cold ?? scratch);
    if (noop) {
      if (coldFailed) {
        noop.attempted++;
        noop.failures.push(`not run: cold copy failed (${coldFailed})`);
      } else await runOnce(t, src, dst, work, ctx, o, noop);
    }
    clearTree(dst);
    clearTree(work);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  process.chdir(REPO_ROOT);
  const started = new Date();
  const why = msMissing(); // (binary mode: built here, once)
  if (why) console.log(`multisync: ${why}`);
  const scenarios = SCENARIOS.filter((s) => o.parts.includes(s.part) && (s.part !== "local" || o.localSets.includes(s.dataset)));
  const stamps = new Map<DatasetName, Stamp>();
  const need = new Set<DatasetName>(scenarios.map((s) => s.dataset));
  if (o.parts.includes("crawl")) need.add("crawl");
  if (o.parts.includes("memory")) need.add("million");
  if (o.parts.includes("cpu")) need.add("small");
  for (const d of need) stamps.set(d, ensureDataset(d));
  mkdirSync(OUT_DIR, { recursive: true });
  if (scenarios.some((s) => s.ram)) mkdirSync(RAM_DIR, { recursive: true });

  let remote: Remote | undefined;
  const contexts = new Map<string, RunContext>();
  let unmount: (() => void) | null = null;
  try {
    unmount = mountDiskFs(console.log);
    if (scenarios.some((s) => s.remote)) remote = await startRemote();
    if (scenarios.some((s) => s.remote === "wan")) await startWan(remote!, { delayMs: envInt("BENCH_WAN_DELAY_MS", 15), rate: process.env.BENCH_WAN_RATE || "20M" });
    for (const s of scenarios) {
      const parallel = s.remote === "wan" ? WAN_PARALLEL : PARALLEL;
      contexts.set(s.name, s.remote ? { parallel, host: remote!.host, rsh: s.remote === "wan" ? remote!.wanRsh : remote!.rsh, pull: s.pull } : { parallel });
    }

    const rows: Row[] = [];
    const commands: string[] = [];
    for (const s of scenarios)
      for (const t of TOOLS.filter((t) => !s.pull || t.pulls))
        for (const mode of s.modes)
          if (selected(o.rows, t.name, mode))
            rows.push({ scenario: s.name, dataset: s.dataset, tool: t.name, mode, shown: t.shown(contexts.get(s.name)!), times: [], cpu: [], boxCpu: [], selfCpu: [], tail: [], buckets: [], attempted: 0, failures: [], dirMtimeDiffs: 0, rootMtimeRuns: 0, missing: t.missing() });
    for (const s of scenarios) {
      const ctx = contexts.get(s.name)!;
      commands.push(`# ${s.label}${s.remote ? `; RSH = ${s.remote === "wan" ? "ssh via the relay" : "ssh to the loopback sshd"}: ${shellQuote([ctx.rsh!]).replace(/\/tmp\/multisync-sshd-\w+/g, "$KEYDIR")}` : ""}`);
      if (s.pull) commands.push(`# (${TOOLS.filter((t) => !t.pulls).map((t) => t.name).join(" and ")}: not run, they crawl SRC themselves and cannot read a remote one)`);
      for (const t of TOOLS.filter((t) => rows.some((r) => r.tool === t.name && r.scenario === s.name))) {
        const argv = t.argv(datasetDir(s.dataset), join(outFor(s), `dst-${t.name}`), join(outFor(s), `work-${t.name}`), ctx);
        const env = Object.entries(t.env?.(ctx) ?? {}).map(([k, v]) => `${k}=${shellQuote([v])} `).join("");
        commands.push(`${t.missing() ? "# (missing) " : ""}${env}${shellQuote(argv)}`.replace(/\/tmp\/multisync-sshd-\w+/g, "$KEYDIR"));
      }
    }

    const machine = machineInfo(process.env.MSRSYNC);
    const report: Report = {
      started,
      finished: new Date(),
      runs: o.runs,
      machine,
      stamps,
      rows,
      commands,
      verifyCmd: shellQuote(verifyArgv("SRC", "DST", o.checksum)),
      remote: remote && { sshdPort: remote.sshdPort, relayPort: remote.relayPort, shape: remote.shape },
    };
    const write = () => {
      report.finished = new Date();
      writeReport(report, o.out);
    };

    for (let i = 1; i <= o.runs; i++) {
      for (const s of scenarios) await runScenario(s, contexts.get(s.name)!, rows, o, i);
      write();
    }
    if (o.parts.includes("crawl")) {
      console.log("crawl");
      report.crawl = await crawlRow(Math.max(o.runs, 5), o.timeout, console.log);
      write();
    }
    if (o.parts.includes("cpu")) {
      console.log("cpu: headless vs TUI");
      report.tui = await tuiRow(o.runs, o.timeout, PARALLEL, console.log);
      write();
    }
    if (o.parts.includes("memory")) {
      console.log("memory");
      report.memory = await memoryRow(envInt("BENCH_MEM_RUNS", 1), o.timeout, PARALLEL, console.log);
      write();
    }
    writeFileSync(join(OUT_DIR, "results.json"), JSON.stringify({ ...report, stamps: Object.fromEntries(stamps) }, null, 2));
    console.log(`\nwrote ${o.out}`);
    for (const r of rows) {
      const m = median(r.times);
      console.log(`  ${r.scenario.padEnd(12)} ${rowLabel(r).padEnd(34)} ${m === undefined ? "—" : `${m.toFixed(2)}s`} ${r.missing ? `(missing: ${r.missing})` : r.failures.length ? `(${r.failures.length} failed)` : ""}`);
    }
  } finally {
    remote?.close();
    if (RAM_DIR !== OUT_DIR) rmrf(RAM_DIR);
    emptyTrash();
    unmount?.();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(2);
});
