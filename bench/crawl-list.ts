// multisync's crawler as a listing tool, for the crawl row: prints every entry under SRC as
// "SIZE PATH\0" (PATH = SRC/relative, directories too), like `find SRC -printf '%s %p\0'`.
//   bun bench/crawl-list.ts SRC > /dev/null
// It runs the engine's own crawl (src/engine/crawler.ts), directory hooks and all.
import { writeSync } from "node:fs";
import { sourceRoot } from "../src/engine/config.ts";
import { crawlBatches } from "../src/engine/crawler.ts";

const arg = process.argv[2];
if (!arg) {
  console.error("usage: bun bench/crawl-list.ts SRC");
  process.exit(2);
}
const src = arg.replace(/\/+$/, "");
// paths are latin1 strings (one char per byte) until they are written, a chunk at a time
const prefix = `${Buffer.from(src).toString("latin1")}/`;
let lines: string[] = [];
let pending = 0;
const out = (size: number, rel: string) => {
  const line = `${size} ${rel === "." ? src : prefix + rel}\0`;
  lines.push(line);
  pending += line.length;
  if (pending >= 1 << 16) flush();
};
const flush = () => {
  if (!pending) return;
  writeSync(1, Buffer.from(lines.join(""), "latin1"));
  lines = [];
  pending = 0;
};
let entries = 0;
for await (const batch of crawlBatches(sourceRoot(`${src}/`), {
  // as in a run whose paths are absolute (this lister hands no path to another process)
  insideReads: true,
  onDir: (rel, st) => {
    entries++;
    out(st.size, rel.toString("latin1"));
  },
})) {
  for (const e of batch) {
    if (e.kind === "dir") continue; // an empty directory: printed by onDir already
    entries++;
    out(e.size, e.rel ?? e.path.toString("latin1"));
  }
}
flush();
process.stderr.write(`${entries} entries\n`);
