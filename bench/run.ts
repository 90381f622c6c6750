// Benchmark harness (run by hand, not part of `bun test`). See bench/README.md.
//   bun bench/run.ts [--runs N] [--only small,mixed] [--rows rsync,fpsync,msrsync-noop,...]
//                    [--out FILE] [--timeout SEC] [--checksum]
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DATASETS, type DatasetName, datasetDir, ensureDataset, type Stamp } from "./lib-data.ts";
import { machineInfo, type Mode, type Report, type Row, rowLabel, writeReport } from "./lib-report.ts";
import { PARALLEL, TOOLS, type Tool } from "./lib-tools.ts";
import { BENCH_DIR, envInt, median, OUT_DIR, REPO_ROOT, rmrf, shellQuote, timedRun } from "./lib-util.ts";
import { describeVerdict, verify, verifyArgv } from "./lib-verify.ts";

const USAGE = `usage: bun bench/run.ts [--runs N] [--only small,mixed] [--rows ROWS] [--out FILE] [--timeout SEC] [--checksum]
  --runs N       runs per row (default env BENCH_RUNS or 3)
  --only LIST    datasets to run (${DATASETS.join(",")})
  --rows LIST    tools (${TOOLS.map((t) => t.name).join(",")}) and/or single rows such as rsync-cold, fpsync-noop
  --out FILE     markdown report path (default bench/RESULTS.md)
  --timeout SEC  kill a run after SEC seconds (default env BENCH_TIMEOUT or 1800)
  --checksum     verify with rsync --checksum (reads both trees fully; default env BENCH_VERIFY_CHECKSUM=1)`;

function parseArgs(argv: string[]) {
  const o = {
    runs: envInt("BENCH_RUNS", 3),
    only: DATASETS as DatasetName[],
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
    else if (a === "--only") o.only = list(val()) as DatasetName[];
    else if (a === "--rows") o.rows = list(val());
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
  const badDs = o.only.filter((d) => !DATASETS.includes(d));
  if (badDs.length) throw new Error(`unknown dataset(s) ${badDs.join(",")}`);
  const known = TOOLS.flatMap((t) => [t.name, `${t.name}-cold`, `${t.name}-noop`]);
  const badRows = (o.rows ?? []).filter((r) => !known.includes(r));
  if (badRows.length) throw new Error(`unknown row(s) ${badRows.join(",")} (known: ${known.join(",")})`);
  return o;
}

const selected = (rows: string[] | undefined, tool: string, mode: Mode) =>
  !rows || rows.includes(tool) || rows.includes(`${tool}-${mode}`);

const oneLine = (s: string) => s.trim().split("\n").filter(Boolean).slice(-1)[0]?.slice(0, 160) ?? "";

/** Run one timed copy and verify it. Returns undefined on success, else why it failed. */
async function runOnce(tool: Tool, src: string, dst: string, work: string, o: ReturnType<typeof parseArgs>, row: Row) {
  rmrf(work);
  mkdirSync(work, { recursive: true });
  const r = await timedRun(tool.argv(src, dst, work), { timeoutSec: o.timeout });
  row.attempted++;
  let why: string | undefined;
  let info = "";
  if (r.spawnError) why = `could not start: ${r.spawnError}`;
  else if (r.timedOut) why = `timed out after ${o.timeout}s`;
  else if (r.code !== 0) why = `exit ${r.code ?? r.signal}: ${oneLine(r.stderrTail) || oneLine(r.stdoutTail)}`;
  else {
    const v = verify(src, dst, { checksum: o.checksum, strictDirMtime: process.env.BENCH_STRICT_DIR_MTIME === "1" });
    row.dirMtimeDiffs = Math.max(row.dirMtimeDiffs, v.dirMtimeOnly);
    if (v.rootMtime) row.rootMtimeRuns++;
    if (v.dirMtimeOnly || v.rootMtime) info = ` (${describeVerdict(v)})`;
    if (!v.ok) why = `verify: ${describeVerdict(v)}${v.sample.length ? ` (e.g. \`${v.sample[0]}\`)` : ""}`;
  }
  if (why) row.failures.push(why);
  else row.times.push(r.seconds);
  console.log(`  ${rowLabel(row).padEnd(28)} ${r.seconds.toFixed(2).padStart(8)}s  ${why ?? "ok"}${info}`);
  return why;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  process.chdir(REPO_ROOT);
  const started = new Date();
  const stamps = new Map<DatasetName, Stamp>();
  for (const d of o.only) stamps.set(d, ensureDataset(d));
  mkdirSync(OUT_DIR, { recursive: true });

  const rows: Row[] = [];
  const commands: string[] = [];
  for (const d of o.only)
    for (const t of TOOLS)
      for (const mode of ["cold", "noop"] as Mode[])
        if (selected(o.rows, t.name, mode)) rows.push({ dataset: d, tool: t.name, mode, shown: t.shown, times: [], attempted: 0, failures: [], dirMtimeDiffs: 0, rootMtimeRuns: 0, missing: t.missing() });
  for (const d of o.only)
    for (const t of TOOLS.filter((t) => rows.some((r) => r.tool === t.name && r.dataset === d)))
      commands.push(`${t.missing() ? "# (missing) " : ""}${shellQuote(t.argv(datasetDir(d), join(OUT_DIR, `dst-${t.name}`), join(OUT_DIR, `work-${t.name}`)))}`);

  const machine = machineInfo(process.env.MSRSYNC);
  const report = (): Report => ({
    started,
    finished: new Date(),
    runs: o.runs,
    machine,
    stamps,
    rows,
    commands,
    verifyCmd: shellQuote(verifyArgv("SRC", "DST", o.checksum)),
    autoNotes: [
      "\"Cold\" means a fresh, non-existent destination (bench/out/dst-<tool> is removed before every run). The page cache is NOT dropped: the source tree is most likely warm in RAM (it was just generated or read by the previous run), so these numbers measure per-file overhead and parallelism rather than disk reads.",
      "\"No-op re-run\" runs the same command again into the complete destination it just produced (nothing to copy; measures crawl + compare cost).",
      `Every run is interleaved: each iteration runs every tool once per dataset (cold, then its no-op re-run), ${o.runs} iterations. Parallelism is ${PARALLEL} for every parallel tool on a ${machine.nproc}-core machine.`,
      "Partition sizing is each tool's default: fpsync 2000 files / 4 GiB per job, msrsync 1000 files / 1 GiB per bucket.",
      "fpsync refuses -a/-r inside -o (it recurses itself with fpart + `rsync -d`), so `-o \"-lptgoD\"` is the exact `rsync -a` equivalent (its default would add `-v --numeric-ids`). It needs absolute paths; its queue/logs go to WORK via -t. It prints `set: can't access tty; job control turned off` without a TTY (harmless). It always `sleep 1`s after the fpart crawl and polls its job queue every 0.2 s, so no fpsync run takes less than ~1.3 s.",
      "msrsync: `-r/--rsync` must be the last option and replaces msrsync's default `-aS --numeric-ids`; msrsync always adds `--from0 --files-from --quiet --verbose --stats --log-file`. We use msrsync3 (the python3 port) from jbd/msrsync.",
      `Verification after every run: the listed rsync dry-run must print nothing except \`.d..t...... ./\` (root dir mtime: tolerated, but reported in the status column). Other lines fail the run; sub-directory mtime-only lines (\`.d..t......\`) are counted in the status column and only fail the run with BENCH_STRICT_DIR_MTIME=1.${o.checksum ? " Content is compared with --checksum." : " Content is compared by rsync's quick check (size + mtime), not checksums (use --checksum)."}`,
      "Failed runs are excluded from the median; a row with no successful run shows —.",
    ],
  });

  for (let i = 1; i <= o.runs; i++) {
    for (const d of o.only) {
      console.log(`run ${i}/${o.runs} · ${d}`);
      const src = datasetDir(d);
      for (const t of TOOLS) {
        const cold = rows.find((r) => r.dataset === d && r.tool === t.name && r.mode === "cold");
        const noop = rows.find((r) => r.dataset === d && r.tool === t.name && r.mode === "noop");
        if (!cold && !noop) continue;
        if ((cold ?? noop)!.missing) {
          if (i === 1) console.log(`  ${t.name.padEnd(28)} missing: ${(cold ?? noop)!.missing}`);
          continue;
        }
        const dst = join(OUT_DIR, `dst-${t.name}`);
        const work = join(OUT_DIR, `work-${t.name}`);
        rmrf(dst);
        const scratch: Row = { ...(cold ?? noop)!, mode: "cold", times: [], attempted: 0, failures: [], dirMtimeDiffs: 0, rootMtimeRuns: 0 };
        const coldFailed = await runOnce(t, src, dst, work, o, cold ?? scratch);
        if (noop) {
          if (coldFailed) {
            noop.attempted++;
            noop.failures.push(`not run: cold copy failed (${coldFailed})`);
          } else await runOnce(t, src, dst, work, o, noop);
        }
        rmrf(dst);
        rmrf(work);
      }
    }
    writeReport(report(), o.out);
  }
  writeFileSync(join(OUT_DIR, "results.json"), JSON.stringify({ ...report(), stamps: Object.fromEntries(stamps) }, null, 2));
  console.log(`\nwrote ${o.out}`);
  for (const r of rows) {
    const m = median(r.times);
    console.log(`  ${r.dataset.padEnd(6)} ${rowLabel(r).padEnd(28)} ${m === undefined ? "—" : `${m.toFixed(2)}s`} ${r.missing ? `(missing: ${r.missing})` : r.failures.length ? `(${r.failures.length} failed)` : ""}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
