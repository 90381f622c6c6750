// A timeline of one multisync run through the WAN relay (by hand, to see where the time goes):
//   bun bench/wan-timeline.ts [-- extra multisync options]
// Starts the throwaway sshd and the relay as the harness does, copies bench/data/wan into a
// fresh DST over them with --json, and prints each event's time since start.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startRemote, startWan } from "./lib-remote.ts";
import { BENCH_DIR } from "./lib-util.ts";

const extra = process.argv.slice(2).filter((a) => a !== "--");
const remote = await startRemote();
await startWan(remote, { delayMs: Number(process.env.BENCH_WAN_DELAY_MS ?? 15), rate: process.env.BENCH_WAN_RATE ?? "20M" });
const dst = join(process.env.BENCH_WAN_DST_DIR ?? join(BENCH_DIR, "out"), "dst-wan-timeline");
rmSync(dst, { recursive: true, force: true });
const t0 = performance.now();
const ms = () => ((performance.now() - t0) / 1000).toFixed(2).padStart(6);
const child = spawn(process.execPath, [join(BENCH_DIR, "..", "src", "cli.ts"), "--json", "-p", "8", "-e", remote.wanRsh!, ...extra, `${join(BENCH_DIR, "data", "wan")}/`, `${remote.host}:${dst}`], { stdio: ["ignore", "pipe", "inherit"] });
let rest = "";
child.stdout!.on("data", (d: Buffer) => {
  const lines = (rest + d.toString()).split("\n");
  rest = lines.pop()!;
  for (const l of lines) {
    const e = JSON.parse(l);
    if (e.type === "progress") continue;
    const { type, ...more } = e;
    console.log(ms(), type, (type === "summary" ? JSON.stringify(more) : JSON.stringify(more).slice(0, 160)));
  }
});
child.on("close", (code) => {
  console.log(ms(), `exit ${code}`);
  remote.close();
  rmSync(dst, { recursive: true, force: true });
  process.exit(0);
});
