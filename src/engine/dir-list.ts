// Appends directory paths (NUL-separated) to a list file in batches: every directory the crawl
// met, for the final metadata pass. Streams to disk so memory does not grow with the tree.
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { listPath } from './rsync-args.ts';

const NUL = Buffer.from([0]);
const FLUSH_AT = 64 * 1024;

export class DirList {
  private parts: Buffer[] = [];
  private size = 0;
  count = 0;

  /** `append`: keep what an earlier (resumed) run recorded. */
  constructor(readonly file: string, append = false) {
    if (!append) writeFileSync(file, '');
    else this.count = existsSync(file) && statSync(file).size > 0 ? 1 : 0;
  }

  add(rel: Buffer): void {
    const p = listPath(rel);
    this.parts.push(p, NUL);
    this.size += p.length + 1;
    this.count++;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (!this.parts.length) return;
    appendFileSync(this.file, Buffer.concat(this.parts));
    this.parts = [];
    this.size = 0;
  }
}
