// What the supervisor's hooks (supervisor-config.ts) do in a run: the shared plan (--shared)
// claims each bucket before it starts and learns how it ended, the journal records its start,
// end and failure, and a bucket that keeps failing is cut in halves (bucket-split.ts) with the
// halves journalled, except under --shared.
import type { BucketCommands } from './bucket-commands.ts';
import { splitBucket } from './bucket-split.ts';
import type { RunState } from './run-state.ts';
import type { SharedPlan } from './shared-plan.ts';
import type { SupervisorHooks } from './supervisor-config.ts';

export interface RunHookParts {
  /** --shared: the plan several coordinators share. */
  shared?: SharedPlan;
  /** Each bucket's rsync command line (and what a bucket may name). */
  commands: BucketCommands;
  /** The run's state (null until the run has opened it). */
  state(): RunState | null;
  runDir(): string;
  /** Numbers new buckets (the bucketer's ids, once the run has a bucketer). */
  splitIds(): () => number;
}

export function runHooks(o: RunHookParts): SupervisorHooks {
  const { shared } = o;
  return {
    claim: (b) => shared?.claim(b) ?? true,
    started: (b, pid) => o.state()?.hooks().started(b, pid),
    done: (b, out) => (o.state()?.hooks().done(b, out), shared?.done(b)),
    failed: (b, out) => (o.state()?.hooks().failed(b, out), shared?.failed(b, out)),
    split: (b) => {
      if (shared) return null; // a split's new ids are not in the shared plan
      const parts = splitBucket(b, o.runDir(), o.splitIds(), 0, (rec) => o.commands.childrenOf(b, rec));
      if (parts) o.state()?.hooks().splitMade(b, parts);
      return parts;
    },
  };
}
