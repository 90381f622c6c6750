// How the benchmark runs multisync: as the compiled single binary that ships (the default: built
// once per run into bench/out/multisync by scripts/build-binary.ts; JavaScriptCore bytecode, no
// TypeScript to load at start-up), or from the checkout through bun (BENCH_MULTISYNC=source).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BUN, OUT_DIR, REPO_ROOT } from "./lib-util.ts";

export const MS_MODE: "source" | "binary" = process.env.BENCH_MULTISYNC === "source" ? "source" : "binary";
const BIN = join(OUT_DIR, "multisync");

/** multisync's argv with these arguments (run from the repository root). */
export function msArgv(...args: string[]): string[] {
  return MS_MODE === "binary" ? [BIN, ...args] : [BUN, "src/cli.ts", ...args];
}

/** The same as shown in RESULTS.md. */
export function msShown(args: string): string {
  return MS_MODE === "binary" ? `bench/out/multisync ${args}` : `node_modules/.bin/bun src/cli.ts ${args}`;
}

/** The process name multisync's own CPU is sampled under. */
export const MS_COMM = MS_MODE === "binary" ? /^multisync$/ : /^bun$/;

let built: string | undefined | null = null;

/** Why multisync cannot run, or undefined; in binary mode the binary is built (once per run) first. */
export function msMissing(): string | undefined {
  if (!existsSync(BUN)) return `${BUN} not found`;
  if (MS_MODE === "source") return existsSync(join(REPO_ROOT, "src/cli.ts")) ? undefined : "src/cli.ts not found";
  if (built === null) built = build();
  return built;
}

function build(): string | undefined {
  const r = spawnSync(BUN, ["scripts/build-binary.ts", "--outfile", BIN, "--quiet"], { cwd: REPO_ROOT, encoding: "utf8" });
  return r.status === 0 && existsSync(BIN) ? undefined : `building the binary failed: ${(r.stderr || r.stdout).trim().split("\n").pop()}`;
}
