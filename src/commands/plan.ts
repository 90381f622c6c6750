// `multisync plan SRC --buckets N --out DIR`: crawl SRC once (same rules as a sync: excludes,
// -x, never following links), pack every entry largest-first into N manifests balanced by bytes
// (or entries) and write them for `rsync --files-from` / `multisync --files-from` on other
// machines. Nothing is written until the whole crawl went through and every name fits the format.
// The options, their help and the --out check live in plan-options.ts.
import { closeSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sourceRoot } from '../engine/config.ts';
import { crawlBatches } from '../engine/crawler.ts';
import { UsageError } from '../engine/errors.ts';
import { compileFilters } from '../engine/filter.ts';
import { LINE_OVERHEAD, manifestName, unrepresentable } from '../engine/manifest-format.ts';
import { imbalance, packLargestFirst } from '../engine/plan-pack.ts';
import { PlanStore } from '../engine/plan-store.ts';
import { checkSources } from '../engine/preflight.ts';
import { formatBytes } from '../engine/units.ts';
import { checkOutDir, planHelp, planOptions } from './plan-options.ts';
import { printable } from './report.ts';
import { liftTreeOptions } from './tree-options.ts';

/** A plan is "balanced" when every manifest is within this of an even share. */
export const BALANCE_GOAL = 0.05;

export interface PlanIO {
  out?: (line: string) => void;
  err?: (line: string) => void;
}

function withCommas(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export async function planCommand(argv: string[], io: PlanIO = {}): Promise<number> {
  const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = io.err ?? ((l: string) => process.stderr.write(`multisync: ${l}\n`));
  const parsed = planOptions(argv);
  if (!parsed) {
    out(planHelp());
    return 0;
  }
  const { opts, args } = parsed;
  let tree: ReturnType<typeof liftTreeOptions>;
  try {
    tree = liftTreeOptions([], args);
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
  const root = sourceRoot(opts.src);
  checkSources([root]);
  checkOutDir(opts.out, root.base + root.prefix);

  // 1. the whole crawl, compactly
  const store = new PlanStore();
  let errors = 0;
  let warnings = 0;
  for await (const batch of crawlBatches(root, {
    filter: compileFilters(tree.filters),
    oneFileSystem: tree.oneFileSystem,
    onError: (path, error, vanished) => {
      if (vanished) warnings++;
      else errors++;
      err(`${vanished ? 'warning: vanished while planning' : 'cannot read'}: ${printable(path)}: ${error.code ?? error.message}`);
    },
  })) {
    for (const e of batch) {
      const why = unrepresentable(e.path, opts.format);
      if (why) {
        const hint = opts.format === 'robocopy' ? 'Windows paths cannot hold it' : 'use -0 (--from0) for NUL-separated manifests, which hold any name';
        throw new UsageError(`cannot write ${printable(e.path)} in a ${opts.format === 'robocopy' ? '--robocopy' : 'newline-separated'} manifest: the name ${why}; ${hint}. Nothing was written`);
      }
      store.add(e);
    }
  }

  // 2. largest first onto the lightest manifest
  const pack = packLargestFirst(store.weights(opts.by), opts.count, store.entries());
  const bytes = opts.by === 'size' ? pack.totals : pack.bins.map((items) => items.reduce((s, i) => s + store.itemSize(i), 0));
  const entries = pack.counts;

  // 3. write them (crawl order inside each manifest: sorted, as rsync likes it)
  mkdirSync(opts.out, { recursive: true });
  if (readdirSync(opts.out).length) throw new UsageError(`--out ${opts.out} is not empty (something else wrote into it): nothing was written`);
  const names = Array.from({ length: opts.count }, (_, m) => manifestName(m, opts.count, opts.format));
  const paths = names.map((n) => join(opts.out, n));
  for (const p of paths) closeSync(openSync(p, 'wx'));
  // one small buffer per manifest, appended to its file when full: no per-entry objects, and no
  // open descriptor per manifest (thousands of manifests would hit the descriptor limit)
  const size = Math.max(4096, Math.min(1024 * 1024, Math.floor((32 * 1024 * 1024) / opts.count)));
  const bufs = names.map(() => Buffer.allocUnsafe(size));
  const used = new Uint32Array(opts.count);
  const flush = (m: number, data = bufs[m].subarray(0, used[m])) => {
    if (!data.length) return;
    const fd = openSync(paths[m], 'a');
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
    } finally {
      closeSync(fd);
    }
    used[m] = 0;
  };
  for (let i = 0; i < store.count; i++) {
    const m = pack.assignment[store.itemOfEntry(i)];
    const need = store.pathLength(i) + LINE_OVERHEAD;
    if (used[m] + need > size) flush(m);
    if (need > size) {
      const big = Buffer.allocUnsafe(need);
      flush(m, big.subarray(0, store.writeLine(i, opts.format, big, 0)));
    } else used[m] = store.writeLine(i, opts.format, bufs[m], used[m]);
  }
  for (let m = 0; m < opts.count; m++) flush(m);

  // 4. the table
  const measure = opts.by === 'size' ? bytes : entries;
  const total = measure.reduce((s, x) => s + x, 0);
  const nameWidth = Math.max('manifest'.length, ...names.map((n) => n.length), 'total'.length);
  const rows: string[][] = names.map((n, m) => [n, withCommas(entries[m]), formatBytes(bytes[m]), total ? `${((100 * measure[m]) / total).toFixed(1)}%` : '-']);
  rows.push(['total', withCommas(store.count), formatBytes(store.bytes), total ? '100.0%' : '-']);
  const widths = [nameWidth, ...[1, 2, 3].map((c) => Math.max(['entries', 'bytes', 'share'][c - 1].length, ...rows.map((r) => r[c].length)))];
  const line = (r: string[]) => [r[0].padEnd(widths[0]), ...r.slice(1).map((x, k) => x.padStart(widths[k + 1]))].join('  ');
  out(`plan: ${withCommas(store.count)} entries, ${formatBytes(store.bytes)} from ${opts.src} in ${opts.count} manifest${opts.count === 1 ? '' : 's'} (balanced by ${opts.by}) in ${opts.out}`);
  out(line(['manifest', 'entries', 'bytes', 'share']));
  for (const r of rows) out(line(r));
  const off = imbalance(measure);
  out(`balance: every manifest within ${(100 * off).toFixed(2)}% of an even share of ${opts.by === 'size' ? 'bytes' : 'entries'}`);
  if (off > BALANCE_GOAL && total) {
    const heaviest = store.weights(opts.by).reduce((a, b) => Math.max(a, b), 0);
    if (heaviest > total / opts.count) err(`warning: one item (${opts.by === 'size' ? formatBytes(heaviest) : `${heaviest} hard-linked names`}) is larger than an even share: this tree cannot be balanced within ${100 * BALANCE_GOAL}%`);
    else err(`warning: the tree has too few items to balance ${opts.count} manifests within ${100 * BALANCE_GOAL}%`);
  }
  if (opts.format !== 'robocopy') {
    const first = join(opts.out, names[0]);
    const z = opts.format === 'nul';
    out(`use: rsync -aH${z ? ' --from0' : ''} --files-from=${first} ${root.base} DST`);
    out(`     multisync -r "-aSH --numeric-ids" --files-from ${first}${z ? ' --from0' : ''} ${root.base} DST`);
  }
  if (errors) err(`${errors} path${errors === 1 ? '' : 's'} could not be read: the plan is incomplete`);
  return errors ? 1 : 0;
}
