// The copiers under test. Each builds an argv (no shell) for SRC/ -> DST/, where DST may be
// remote (`127.0.0.1:/abs/path`, reached with the remote shell `rsh`), or SRC (a pull).
// SRC and DST are absolute paths without a trailing slash; `work` is a scratch directory under
// bench/out/ that is wiped before each run.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { msArgv, msMissing, msShown } from "./lib-multisync.ts";

/** Parallelism of the local and ssh rows; the WAN row uses WAN_PARALLEL. */
export const PARALLEL = 4;
export const WAN_PARALLEL = 8;

export interface RunContext {
  /** rsync processes (-p / -n). */
  parallel: number;
  /** Remote shell for a remote DST (ssh … with key and port), else undefined. */
  rsh?: string;
  /** The remote host DST is on ("127.0.0.1"), else undefined (local DST). */
  host?: string;
  /** SRC is on `host` instead (a pull: `host:SRC/ DST/`). */
  pull?: boolean;
}

export interface Tool {
  name: string;
  /** undefined when runnable, else why the rows are reported as missing. */
  missing(): string | undefined;
  argv(src: string, dst: string, work: string, ctx: RunContext): string[];
  /** Extra environment (e.g. RSYNC_RSH for tools that cannot take -e safely). */
  env?(ctx: RunContext): Record<string, string>;
  /** Set-up before each run (e.g. msrsync's local check of a remote DST). */
  prepare?(dst: string, work: string, ctx: RunContext): void;
  /** The directory the command runs in (default: the repository root). */
  cwd?(work: string, ctx: RunContext): string | undefined;
  /** How the command is shown in RESULTS.md (SRC/DST placeholders). */
  shown(ctx: RunContext): string;
  /** It can read a remote SRC (fpsync and msrsync crawl SRC themselves, locally). */
  pulls?: boolean;
}

const FPSYNC = "/usr/bin/fpsync";
const msrsyncPath = (): string | undefined => process.env.MSRSYNC || undefined;
const target = (dst: string, ctx: RunContext) => (ctx.host && !ctx.pull ? `${ctx.host}:${dst}/` : `${dst}/`);
/** SRC/ as a tool gets it: `host:SRC/` for a pull. */
const source = (src: string, ctx: RunContext) => (ctx.pull ? `${ctx.host}:${src}/` : `${src}/`);
const shownSrc = (ctx: RunContext) => (ctx.pull ? "HOST:SRC/" : "SRC/");
const rshEnv = (ctx: RunContext): Record<string, string> => (ctx.rsh ? { RSYNC_RSH: ctx.rsh } : {});
const shownDst = (ctx: RunContext) => (ctx.host && !ctx.pull ? "HOST:DST/" : "DST/");

export const TOOLS: Tool[] = [
  {
    name: "rsync",
    missing: () => undefined,
    argv: (s, d, _w, ctx) => ["rsync", "-a", ...(ctx.rsh ? ["-e", ctx.rsh] : []), source(s, ctx), target(d, ctx)],
    shown: (ctx) => `rsync -a${ctx.rsh ? ' -e "RSH"' : ""} ${shownSrc(ctx)} ${shownDst(ctx)}`,
    pulls: true,
  },
  {
    name: "multisync",
    missing: msMissing,
    // run from the repo root (timedRun's default cwd); --json for the summary's tailMs and cpuMs
    argv: (s, d, _w, ctx) => msArgv("--json", "-p", String(ctx.parallel), ...(ctx.rsh ? ["-e", ctx.rsh] : []), source(s, ctx), target(d, ctx)),
    shown: (ctx) => msShown(`--json -p ${ctx.parallel}${ctx.rsh ? ' -e "RSH"' : ""} ${shownSrc(ctx)} ${shownDst(ctx)}`),
    pulls: true,
  },
  {
    name: "fpsync",
    missing: () => (existsSync(FPSYNC) ? undefined : `${FPSYNC} not found (Debian package fpart)`),
    // fpsync forbids -a/-r in -o (it recurses itself via fpart + `rsync -d`), so
    // "-lptgoD" is exactly rsync -a minus -r; its default adds -v --numeric-ids.
    // Paths must be absolute; -t keeps its queue/logs under bench/out/. Its -o is split at
    // spaces, so the remote shell goes in RSYNC_RSH.
    argv: (s, d, work, ctx) => [FPSYNC, "-n", String(ctx.parallel), "-t", work, "-o", "-lptgoD", `${s}/`, target(d, ctx)],
    env: rshEnv,
    shown: (ctx) => `${ctx.rsh ? 'RSYNC_RSH="RSH" ' : ""}fpsync -n ${ctx.parallel} -t WORK -o "-lptgoD" SRC/ ${shownDst(ctx)}`,
  },
  {
    name: "msrsync",
    missing: () => {
      const p = msrsyncPath();
      if (!p) return "env MSRSYNC not set";
      return existsSync(p) ? undefined : `MSRSYNC=${p} not found`;
    },
    // -r/--rsync must be the last option; its default is "-aS --numeric-ids",
    // we pass plain "-a" to copy the same as the rsync row. The remote shell goes in RSYNC_RSH.
    argv: (s, d, _w, ctx) => ["python3", msrsyncPath()!, "-p", String(ctx.parallel), "-r", "-a", `${s}/`, target(d, ctx).replace(/\/$/, "")],
    env: rshEnv,
    // msrsync checks (and mkdirs) DST as a local path even when it is host:/path: run it where
    // that relative path exists, so the check passes and rsync gets the remote DST unchanged
    prepare: (d, work, ctx) => {
      if (ctx.host) mkdirSync(join(work, `${ctx.host}:${d}`), { recursive: true });
    },
    cwd: (work, ctx) => (ctx.host ? work : undefined),
    shown: (ctx) => `${ctx.rsh ? 'RSYNC_RSH="RSH" ' : ""}python3 $MSRSYNC -p ${ctx.parallel} -r "-a" SRC/ ${shownDst(ctx).replace(/\/$/, "")}`,
  },
];

export const toolByName = (n: string): Tool | undefined => TOOLS.find((t) => t.name === n);
