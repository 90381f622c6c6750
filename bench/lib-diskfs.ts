// BENCH_LOOP_FS=SIZE (e.g. 30G; root only): the disk scenarios' DSTs go to a fresh ext4, made in
// an image file (BENCH_LOOP_IMG, default /var/tmp/multisync-bench-fs.img) and loop-mounted at
// bench/out/disk for the run, then unmounted and removed. For a machine whose own filesystem
// makes the disk rows measure itself: this box's root ext4 has no journal, and without one the
// kernel skips recently freed inodes with a lookup each, so a 20k-file copy made where trees
// were just removed spent 11-17 s of kernel CPU instead of 1.8 s (see README, "What is measured").
import { mkdirSync, rmSync } from "node:fs";
import { capture, DISK_DIR, OUT_DIR } from "./lib-util.ts";

/** Mounts the fresh filesystem when BENCH_LOOP_FS asks for one; returns what unmounts and removes it. */
export function mountDiskFs(log: (s: string) => void, env: NodeJS.ProcessEnv = process.env): (() => void) | null {
  const size = env.BENCH_LOOP_FS;
  if (!size || DISK_DIR === OUT_DIR) return null;
  const image = env.BENCH_LOOP_IMG || "/var/tmp/multisync-bench-fs.img";
  mkdirSync(DISK_DIR, { recursive: true });
  const steps = [
    ["truncate", "-s", size, image],
    ["mkfs.ext4", "-q", "-F", image],
    ["mount", "-o", "loop", image, DISK_DIR],
  ];
  for (const argv of steps) {
    const r = capture(argv);
    if (r.code !== 0) {
      rmSync(image, { force: true });
      throw new Error(`BENCH_LOOP_FS: ${argv.join(" ")} failed: ${r.stderr.trim().split("\n")[0] ?? `exit ${r.code}`}`);
    }
  }
  log(`disk DSTs: a fresh ext4 (${size}, ${image}) mounted at ${DISK_DIR}`);
  return () => {
    capture(["umount", DISK_DIR]);
    rmSync(image, { force: true });
  };
}
