// The run's bucketer (bucketer.ts): each bucket it cuts is counted, journalled and queued for
// the supervisor, or published to the shared plan (--shared), where every coordinator takes it
// from. It cuts for the run's slots while the supervisor has some free, and an entry costs more
// when either end is remote (and over a near ssh link, buckets are as big as their sessions'
// start asks: session-cost.ts).
import type { BucketCommands } from './bucket-commands.ts';
import { Bucketer, ENTRY_COST, REMOTE_ENTRY_COST } from './bucketer.ts';
import { isRemote, type RunConfig } from './config.ts';
import type { RunState } from './run-state.ts';
import { sessionPieceEntries } from './session-cost.ts';
import type { SharedPlan } from './shared-plan.ts';
import type { Stats } from './stats.ts';
import type { Supervisor } from './supervisor.ts';

export interface RunBucketerParts {
  cfg: RunConfig;
  runDir: string;
  stats: Stats;
  state: RunState;
  supervisor: Supervisor;
  commands: BucketCommands;
  /** --shared: the plan several coordinators share. */
  shared?: SharedPlan;
}

export function runBucketer(o: RunBucketerParts): Bucketer {
  const { cfg, stats, state, supervisor, shared } = o;
  return new Bucketer({
    dir: o.runDir,
    maxFiles: cfg.maxFiles,
    maxBytes: cfg.maxBytes,
    onBucket: (b, settled) => {
      if (shared) return shared.publish(b); // every coordinator takes it from there
      stats.bucketsTotal++;
      state.bucketMade(b, settled);
      supervisor.enqueue(b);
    },
    // (--shared: the plan's buckets go to every coordinator's slots: cut at the caps, in order)
    slots: () => (shared ? 1 : stats.processes * Math.max(1, cfg.workers?.length ?? 1)),
    wholeDirs: o.commands.wholeDirs,
    entryCost: [cfg.destination, ...cfg.sources.map((s) => s.arg)].some(isRemote) ? REMOTE_ENTRY_COST : ENTRY_COST,
    // (over a near ssh link whose buckets are slow to start: fewer, bigger buckets; sized by a
    // session's start, or by the far end's daemon's first request once it answered: it starts no
    // session, remote-daemon.ts)
    get minPieceEntries() {
      if (cfg.workers?.length) return undefined;
      const d = cfg.sshDaemon;
      return sessionPieceEntries(cfg.sshRttMs, d?.ready && d.probeMs !== null ? d.probeMs : cfg.sshSessionMs);
    },
    demand: () => (shared ? 0 : supervisor.demand()),
    // --shared: other coordinators take buckets as they are published, so they stream out
    window: cfg.shared ? cfg.maxFiles : undefined,
  });
}
