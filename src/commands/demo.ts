// `multisync demo`: builds a sample tree (~20k files) in a temp dir and syncs it, showing progress.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSmallFilesTree } from '../engine/odd-tree.ts';
import { parseArgs, type ParsedArgs } from './parse-args.ts';
import { syncCommand, type SyncIO } from './sync.ts';

export async function demoCommand(args: ParsedArgs, io: SyncIO): Promise<number> {
  const files = Number(process.env.MULTISYNC_DEMO_FILES || 20000);
  const root = mkdtempSync(join(tmpdir(), 'multisync-demo-'));
  const src = join(root, 'src');
  const dst = join(root, 'dst');
  try {
    process.stderr.write(`multisync demo: making ${files} files in ${src} …\n`);
    await makeSmallFilesTree(src, { files, dirs: Math.max(1, Math.round(files / 200)), minSize: 512, maxSize: 16 * 1024, seed: 42 });
    process.stderr.write(`multisync demo: syncing ${src}/ → ${dst}/\n`);
    const extra = args.positionals.length ? [] : [];
    const passthrough = Object.entries(args.values).flatMap(([k, v]) => [`--${k}`, v]);
    const flags = Object.keys(args.flags).map((k) => `--${k}`);
    const syncArgs = parseArgs([...passthrough, ...flags, ...extra, '--progress', '--stats', `${src}/`, dst]);
    return await syncCommand(syncArgs, io);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
