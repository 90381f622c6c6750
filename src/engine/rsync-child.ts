// The child process of one bucket's rsync (rsync-process.ts): started with node:child_process
// in its own process group (so pause/cancel reach rsync's helper processes too), its output
// handed on as it comes, and the wait for that group to be empty once rsync exited.
// (No execa: importing it cost ~45 ms of start-up, a third of a whole no-op run.)
import { spawn } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import type { OutputTail } from './output-tail.ts';
import type { RsyncSpawn } from './rsync-process.ts';

/** A started child: its pid, its output as chunks, and how it ended. */
export interface Child {
  pid: number | undefined;
  /** Resolves once the process exited and its stdout and stderr were read to the end. */
  ended: Promise<{ code: number | null; sig: string | null; error?: string }>;
  kill(sig: NodeJS.Signals): void;
}

/**
 * node:child_process (the engine uses node: APIs only, so it also runs under Deno). stdout goes
 * to `tail`'s file when there is one, else through a pipe.
 */
export function spawnNode(s: RsyncSpawn, env: Record<string, string | undefined>, tail: OutputTail | null, errFd: number | null, out: (text: string) => void, err: (c: Uint8Array) => void): Child {
  const child = spawn(s.rsync, s.argv, {
    detached: true,
    stdio: [s.stdinFile ? 'pipe' : 'ignore', tail ? tail.fd : 'pipe', errFd ?? 'pipe'],
    env,
  });
  const stdin = child.stdin;
  if (stdin && s.stdinFile) {
    stdin.on('error', () => {}); // rsync may exit before reading it all (EPIPE)
    void s.stdinFile.then((file) => (file ? createReadStream(file).on('error', () => stdin.end()).pipe(stdin) : stdin.end()));
  }
  if (tail) tail.follow();
  else child.stdout?.on('data', (c: Uint8Array) => out(Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1')));
  child.stderr?.on('data', err);
  const ended = new Promise<{ code: number | null; sig: string | null; error?: string }>((resolve) => {
    child.on('error', (e) => resolve({ code: null, sig: null, error: e.message }));
    // 'close': the process exited and its stdout/stderr are drained
    child.on('close', (code, sig) => resolve({ code, sig }));
  });
  return { pid: child.pid, ended, kill: (sig) => child.kill(sig) };
}

/**
 * Resolves once no process of group `pgid` is left (rsync's helpers exit right after it), or
 * after `maxMs`: a process that stays in the group on purpose (an ssh connection master that
 * rsync's ssh left behind) must not hold the bucket. A zombie counts as gone: it holds nothing,
 * and where rsync died before its helper (a directory pass stopped before it read a name) the
 * helper is reparented to init, which in some containers never reaps it.
 */
export function groupGone(pgid: number, maxMs = 2000, procDir = '/proc'): Promise<void> {
  const inGroup = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!inGroup()) return Promise.resolve();
  const until = Date.now() + maxMs;
  let scanned = 0;
  return new Promise((resolve) => {
    const t = setInterval(() => {
      const now = Date.now();
      // (kill(2) finds zombies too: what is left is looked up in /proc, now and then)
      let gone = !inGroup() || now > until;
      if (!gone && now - scanned >= SCAN_MS) {
        scanned = now;
        gone = liveInGroup(pgid, procDir)?.length === 0;
      }
      if (gone) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });
}

/** How often groupGone looks in /proc while the group is still there. */
const SCAN_MS = 25;

/** The processes of group `pgid` that are not zombies (Linux's /proc), or null where /proc cannot tell. */
export function liveInGroup(pgid: number, procDir = '/proc'): number[] | null {
  let names: string[];
  try {
    names = readdirSync(procDir);
  } catch {
    return null;
  }
  const live: number[] = [];
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 0x30 || c > 0x39) continue;
    let stat: string;
    try {
      stat = readFileSync(`${procDir}/${n}/stat`, 'latin1');
    } catch {
      continue; // (gone meanwhile)
    }
    // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') live.push(Number(n));
  }
  return live;
}
