// Generate the benchmark datasets into bench/data/ (gitignored), deterministically.
//   bun bench/make-data.ts [small] [mixed]
// Env: BENCH_SMALL_FILES (default 20000), BENCH_MIXED_MB (default 1024).
// Skips a dataset whose stamp (bench/data/<name>.stamp.json) matches the parameters.
import { DATASETS, type DatasetName, ensureDataset } from "./lib-data.ts";

export function makeData(names: DatasetName[] = DATASETS): void {
  for (const n of names) ensureDataset(n);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const bad = args.filter((a) => !DATASETS.includes(a as DatasetName));
  if (bad.length) {
    console.error(`unknown dataset(s): ${bad.join(", ")} (known: ${DATASETS.join(", ")})`);
    process.exit(2);
  }
  makeData(args.length ? (args as DatasetName[]) : DATASETS);
}
