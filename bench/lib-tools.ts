// The copiers under test. Each builds an argv (no shell) for SRC/ -> DST/.
// SRC and DST are absolute paths without a trailing slash; `work` is a scratch
// directory under bench/out/ that is wiped before each run.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./lib-util.ts";

export const PARALLEL = 4;

export interface Tool {
  name: string;
  /** undefined when runnable, else why the rows are reported as missing. */
  missing(): string | undefined;
  argv(src: string, dst: string, work: string): string[];
  /** How the command is shown in RESULTS.md (SRC/DST placeholders). */
  shown: string;
}

const BUN = join(REPO_ROOT, "node_modules/.bin/bun");
const FPSYNC = "/usr/bin/fpsync";
const msrsyncPath = (): string | undefined => process.env.MSRSYNC || undefined;

export const TOOLS: Tool[] = [
  {
    name: "rsync",
    missing: () => undefined,
    argv: (s, d) => ["rsync", "-a", `${s}/`, `${d}/`],
    shown: "rsync -a SRC/ DST/",
  },
  {
    name: "multisync",
    missing: () =>
      !existsSync(join(REPO_ROOT, "src/cli.ts")) ? "src/cli.ts not found" : !existsSync(BUN) ? `${BUN} not found` : undefined,
    // run from the repo root (timedRun's default cwd)
    argv: (s, d) => [BUN, "src/cli.ts", "--headless", "-p", String(PARALLEL), `${s}/`, `${d}/`],
    shown: `node_modules/.bin/bun src/cli.ts --headless -p ${PARALLEL} SRC/ DST/`,
  },
  {
    name: "fpsync",
    missing: () => (existsSync(FPSYNC) ? undefined : `${FPSYNC} not found (Debian package fpart)`),
    // fpsync forbids -a/-r in -o (it recurses itself via fpart + `rsync -d`), so
    // "-lptgoD" is exactly rsync -a minus -r; its default adds -v --numeric-ids.
    // Paths must be absolute; -t keeps its queue/logs under bench/out/.
    argv: (s, d, work) => [FPSYNC, "-n", String(PARALLEL), "-t", work, "-o", "-lptgoD", `${s}/`, `${d}/`],
    shown: `fpsync -n ${PARALLEL} -t WORK -o "-lptgoD" SRC/ DST/`,
  },
  {
    name: "msrsync",
    missing: () => {
      const p = msrsyncPath();
      if (!p) return "env MSRSYNC not set";
      return existsSync(p) ? undefined : `MSRSYNC=${p} not found`;
    },
    // -r/--rsync must be the last option; its default is "-aS --numeric-ids",
    // we pass plain "-a" to copy the same as the rsync row.
    argv: (s, d) => ["python3", msrsyncPath()!, "-p", String(PARALLEL), "-r", "-a", `${s}/`, `${d}/`],
    shown: `python3 $MSRSYNC -p ${PARALLEL} -r "-a" SRC/ DST/`,
  },
];

export const toolByName = (n: string): Tool | undefined => TOOLS.find((t) => t.name === n);
