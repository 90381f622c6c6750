// multisync's crawler as a listing tool, for the crawl row: prints every entry under SRC as
// "SIZE PATH\0" (PATH = SRC/relative, directories too), like `find SRC -printf '%s %p\0'`.
//   bun bench/crawl-list.ts SRC > /dev/null
// It runs the engine's own crawl (src/engine/crawler.ts) with the same hooks a copy uses.
import { writeSync } from "node:fs";
import { sourceRoot } from "../src/engine/config.ts";
import { crawl } from "../src/engine/crawler.ts";

const src = process.argv[2];
if (!src) {
  console.error("usage: bun bench/crawl-list.ts SRC");
  process.exit(2);
}
const prefix = Buffer.from(src.replace(/\/+$/, "") + "/");
const chunks: Buffer[] = [];
let pending = 0;
const root = prefix.subarray(0, -1);
const out = (size: number, rel: Buffer) => {
  const path = rel.length === 1 && rel[0] === 0x2e ? root : Buffer.concat([prefix, rel]);
  const line = Buffer.concat([Buffer.from(`${size} `), path, Buffer.from([0])]);
  chunks.push(line);
  pending += line.length;
  if (pending >= 1 << 16) flush();
};
const flush = () => {
  if (!pending) return;
  writeSync(1, Buffer.concat(chunks));
  chunks.length = 0;
  pending = 0;
};
let entries = 0;
for await (const e of crawl(sourceRoot(`${src.replace(/\/+$/, "")}/`), {
  onDir: (rel, st) => {
    entries++;
    out(st?.size ?? 0, rel);
  },
})) {
  if (e.kind === "dir") continue; // an empty directory: printed by onDir already
  entries++;
  out(e.size, e.path);
}
flush();
process.stderr.write(`${entries} entries\n`);
