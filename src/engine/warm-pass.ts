// The directory-metadata pass started ahead (dir-pass.ts). Over ssh most of a pass's time comes
// before rsync reads its list: the remote shell's session, the far rsync's start and the
// protocol's greeting (to a loopback sshd here, ~0.3 s of a 0.35-0.4 s pass; on a WAN, a few
// round trips more). rsync reads --files-from only after all that, so when the tail begins
// (everything handed out, a slot free) the pass's rsync is started with its list to come on
// stdin, and it waits there, connected, while the last buckets run. When they are done it gets
// the list; otherwise (no pass: a failure blocks it, nothing changed, a cancel) it is stopped
// before it read a name, so it wrote nothing. One source, rsync started here (not on worker
// hosts); an rsync that ended while it waited leaves the pass to run as usual. A pull's pass
// reaches the far end's daemon the same way (its connection and greeting), and even a local one
// has its start behind it: from the last bucket's end to the pass's end, a pull of 21k small
// files from the loopback sshd took 121-160 ms instead of 180-219, a local copy 73-90 ms
// instead of 80-110.
import type { RunConfig } from './config.ts';
import type { DirList } from './dir-list.ts';
import { passArgv, passLog } from './dir-pass.ts';
import { bucketLog } from './rsync-log.ts';
import { startRsync, type RsyncRun } from './rsync-process.ts';

export class WarmPass {
  private run: RsyncRun | null = null;
  private give: (file: string | null) => void = () => {};
  private ended = false;
  private started = false;
  private log = bucketLog('');
  /** Resolves once a dropped rsync is gone. */
  private gone: Promise<void> = Promise.resolve();

  /** Whether a run of `cfg` starts its pass ahead (`elsewhere`: passes run on worker hosts). */
  static fits(cfg: RunConfig, elsewhere: boolean): boolean {
    return !cfg.dryRun && !elsewhere && !cfg.shared && cfg.sources.length === 1;
  }

  /** Starts the first source's pass (its list to come on stdin) when the run fits and it has directories; once. */
  startFor(cfg: RunConfig, dirLists: DirList[], runDir: string, elsewhere: boolean): void {
    if (this.started || !WarmPass.fits(cfg, elsewhere) || !dirLists[0]?.count) return;
    this.started = true;
    const file = new Promise<string | null>((resolve) => (this.give = resolve));
    const logFile = passLog(runDir, 0);
    this.log = bucketLog(logFile);
    try {
      this.run = startRsync({ rsync: cfg.rsyncPath, argv: passArgv(cfg, 0, '-'), logFile, onProgress: () => {}, stdinFile: file });
    } catch {
      return; // (the pass runs as usual, and says why it cannot)
    }
    void this.run.done.then(() => (this.ended = true));
  }

  /**
   * The waiting rsync, handed the list in `listFile`; null when none waits (never started, or it
   * ended early: the caller runs the pass as usual).
   */
  take(listFile: string): RsyncRun | null {
    const run = this.run;
    if (!run) return null;
    if (this.ended) {
      this.run = null;
      this.log.append('# (started ahead, it ended before its list came: the pass runs again)\n');
      return null;
    }
    this.run = null;
    this.give(listFile);
    return run;
  }

  /** Stops a waiting rsync unused; resolves once it is gone (however often asked). */
  drop(): Promise<void> {
    const run = this.run;
    if (run) {
      this.run = null;
      run.signal('SIGTERM');
      this.give(null);
      this.gone = run.done.then(() => this.log.append('# (started ahead and not needed: stopped before it read a name)\n'));
    }
    return this.gone;
  }

  /** Last-resort synchronous kill (process 'exit' handler). */
  killSync(): void {
    this.run?.signal('SIGKILL');
  }
}
