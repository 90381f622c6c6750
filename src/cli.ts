#!/usr/bin/env bun
// Entry point: argv → command. Errors are one line on stderr; usage errors exit 2.
import pkg from '../package.json' with { type: 'json' };
import { isatty } from 'node:tty';
import { UsageError } from './engine/errors.ts';
import { helpText, parseArgs } from './commands/parse-args.ts';

export const VERSION: string = pkg.version;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'plan') {
    // plan has its own options (--buckets N is a count there, not the bucket directory)
    const { planCommand } = await import('./commands/plan.ts');
    return planCommand(argv);
  }
  const args = parseArgs(argv);
  if (args.flags.help) {
    process.stdout.write(`${helpText(VERSION)}\n`);
    return 0;
  }
  if (args.flags.version) {
    process.stdout.write(`multisync ${VERSION}\n`);
    return 0;
  }
  switch (args.command) {
    case 'demo': {
      const { demoCommand } = await import('./commands/demo.ts');
      return demoCommand(args, { isTTY: isatty(1) });
    }
    case 'tui': {
      const { syncCommand } = await import('./commands/sync.ts');
      return syncCommand(args, { isTTY: isatty(1) });
    }
    case 'selftest': {
      const { selftestCommand } = await import('./commands/selftest.ts');
      return selftestCommand(args);
    }
    case 'status': {
      const { statusCommand } = await import('./commands/status.ts');
      return statusCommand(args);
    }
    default:
      throw new UsageError(`command '${args.command}' is not available yet`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`multisync: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`multisync: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.MULTISYNC_DEBUG) console.error(err);
    process.exit(70);
  },
);
