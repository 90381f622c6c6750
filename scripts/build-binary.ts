#!/usr/bin/env bun
// `bun run build`: compile multisync into one self-contained executable (dist/multisync) with
// `Bun.build({ compile })`, plus dist/multisync.sha256 in `sha256sum` format.
//
// The binary embeds the Bun runtime, every dependency and the version from package.json (the
// JSON import in src/cli.ts is bundled), so it runs on a host with only rsync (and ssh for
// remote work): no Node, no Bun, no node_modules, no network.
//
// usage: bun scripts/build-binary.ts [--outfile PATH] [--target bun-linux-x64|...] [--quiet]
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { BunPlugin } from 'bun';

const ROOT = resolve(import.meta.dir, '..');

/**
 * Ink imports `react-devtools-core` (only when DEV=true, and only if it resolves). It is an
 * optional peer we do not install: replace it with an inert module so the bundle neither fails
 * to build nor fails at start. Ink also reads its own package.json from disk when DEV=true, which
 * does not exist inside the binary: turn Ink's DEV checks off at build time, so a DEV=true
 * left in an admin's environment changes nothing.
 */
export const stubDevtools: BunPlugin = {
  name: 'stub-react-devtools-core',
  setup(build) {
    build.onResolve({ filter: /^react-devtools-core(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'multisync-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'multisync-stub' }, () => ({
      contents: 'const devtools = { initialize() {}, connectToDevTools() {} };\nexport default devtools;\n',
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/][^\\/]+\.js$/ }, async (args) => {
      const text = await Bun.file(args.path).text();
      return { contents: text.replace(/process\.env\[['"]DEV['"]\]\s*===\s*['"]true['"]/g, 'false'), loader: 'js' };
    });
  },
};

export interface BuildOptions {
  /** Output executable (default dist/multisync); the checksum goes beside it as NAME.sha256. */
  outfile?: string;
  /** Cross-compile target, e.g. 'bun-linux-arm64' (default: this host). */
  target?: string;
  log?: (line: string) => void;
}

export interface BuildResult {
  outfile: string;
  sha256: string;
  bytes: number;
  version: string;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function buildBinary(opts: BuildOptions = {}): Promise<BuildResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const outfile = resolve(opts.outfile ?? `${ROOT}/dist/multisync`);
  const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
  mkdirSync(dirname(outfile), { recursive: true });
  const t0 = Date.now();
  const result = await Bun.build({
    entrypoints: [`${ROOT}/src/cli.ts`],
    target: 'bun',
    minify: true,
    // Parse at build time, not at every start: --version/--help start in ~10 ms instead of ~35 ms
    // (the bundle holds React, Ink and the engine), for ~3 MiB more.
    bytecode: true,
    // ESM, not bytecode's default CommonJS: Ink uses top-level await and import.meta.
    format: 'esm',
    // React's production build: smaller, faster, no development warnings.
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [stubDevtools],
    throw: false,
    compile: {
      outfile,
      ...(opts.target ? { target: opts.target as Bun.Build.CompileTarget } : {}),
      // The binary must behave the same wherever it is started: ignore any .env or
      // bunfig.toml in the current directory.
      autoloadDotenv: false,
      autoloadBunfig: false,
      autoloadTsconfig: false,
      autoloadPackageJson: false,
    },
  });
  if (!result.success) {
    for (const m of result.logs) log(String(m));
    throw new Error('bun build --compile failed');
  }
  const sha256 = sha256File(outfile);
  // `sha256sum -c multisync.sha256` next to the binary: the file names the binary by its basename.
  writeFileSync(`${outfile}.sha256`, `${sha256}  ${basename(outfile)}\n`);
  const bytes = statSync(outfile).size;
  log(`built ${outfile} (${(bytes / 2 ** 20).toFixed(1)} MiB, v${pkg.version}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return { outfile, sha256, bytes, version: pkg.version };
}

/** Runs the fresh binary once (--version) so a broken build never looks like a good one. */
export function smokeTest(outfile: string, version: string): void {
  const r = spawnSync(outfile, ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  const want = `multisync ${version}`;
  if (r.status !== 0 || r.stdout.trim() !== want) {
    throw new Error(`smoke test failed: '${outfile} --version' exited ${r.status ?? r.signal}, printed ${JSON.stringify(r.stdout + r.stderr)}; expected '${want}'`);
  }
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const opts: BuildOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--outfile' || a === '-o') opts.outfile = value();
    else if (a === '--target') opts.target = value();
    else if (a === '--quiet' || a === '-q') opts.log = () => {};
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: bun scripts/build-binary.ts [--outfile PATH] [--target bun-linux-x64|bun-linux-arm64|...] [--quiet]\n');
      process.exit(0);
    } else {
      process.stderr.write(`build-binary: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  try {
    const r = await buildBinary(opts);
    if (!opts.target) smokeTest(r.outfile, r.version);
  } catch (err) {
    process.stderr.write(`build-binary: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
