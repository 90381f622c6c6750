// Cuts the stream of crawled entries into buckets: a bucket closes at maxFiles entries or
// maxBytes bytes (a single larger file gets a bucket of its own). Lists are NUL-separated files
// on disk, so memory holds only the bucket being filled.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { listPath } from './rsync-args.ts';
import type { Bucket, Entry } from './types.ts';

export interface BucketerConfig {
  dir: string;
  maxFiles: number;
  maxBytes: number;
  onBucket(b: Bucket): void;
}

const NUL = Buffer.from([0]);

/** Writes a list durably (fsync): the journal may name it right after. */
export function writeListFile(file: string, data: Buffer): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function bucketName(id: number): string {
  return `bucket-${String(id).padStart(6, '0')}`;
}

export class Bucketer {
  /** Next bucket id (a resumed run continues after the journal's last one). */
  nextId = 1;
  private parts: Buffer[] = [];
  private files = 0;
  private bytes = 0;
  private source = -1;
  /** When the open bucket got its first entry (for live flushing). */
  openedAt = 0;

  constructor(private cfg: BucketerConfig) {}

  get pendingFiles(): number {
    return this.files;
  }

  get bucketCount(): number {
    return this.nextId - 1;
  }

  add(source: number, e: Entry): void {
    this.addGroup(source, [e]);
  }

  /** Adds entries that must travel together (e.g. the names of one hardlinked inode). */
  addGroup(source: number, group: Entry[]): void {
    const size = group.reduce((s, e) => s + e.size, 0);
    if (
      this.files > 0 &&
      (source !== this.source || this.files + group.length > this.cfg.maxFiles || this.bytes + size > this.cfg.maxBytes)
    ) {
      this.flush();
    }
    if (this.files === 0) {
      this.source = source;
      this.openedAt = Date.now();
    }
    for (const e of group) this.parts.push(listPath(e.path), NUL);
    this.files += group.length;
    this.bytes += size;
    if (this.files >= this.cfg.maxFiles || this.bytes >= this.cfg.maxBytes) this.flush();
  }

  /** Closes the open bucket, if it has anything. */
  flush(): void {
    if (this.files === 0) return;
    const id = this.nextId++;
    const name = bucketName(id);
    const listFile = join(this.cfg.dir, `${name}.list`);
    writeListFile(listFile, Buffer.concat(this.parts));
    const bucket: Bucket = {
      id,
      source: this.source,
      listFile,
      logFile: join(this.cfg.dir, `${name}.log`),
      files: this.files,
      bytes: this.bytes,
      attempts: 0,
    };
    this.parts = [];
    this.files = 0;
    this.bytes = 0;
    this.cfg.onBucket(bucket);
  }
}
