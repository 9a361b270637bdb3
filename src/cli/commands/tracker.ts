// `swarmlab tracker [--host H] --port P`: an HTTP tracker (announce and scrape), until interrupted.
// Declared here (flags, help); the action, in tracker-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';
import { DEFAULT_LIMITS } from '../../bittorrent/net/tracker-swarms.ts';
import { wholeNumber } from '../options.ts';

export interface TrackerFlags {
  host: string;
  port: number;
  interval: number;
  quiet?: boolean;
}

export function registerTracker(program: Command): void {
  program
    .command('tracker')
    .description('run an HTTP BitTorrent tracker (announce, scrape) until interrupted')
    .option('--host <address>', 'address to listen on; 0.0.0.0 for every IPv4 address', '127.0.0.1')
    .requiredOption('--port <n>', 'port to listen on (0: any free port)', wholeNumber('--port', 0, 65_535))
    .option(
      '--interval <seconds>',
      'how often peers announce; one not heard of for twice that and a minute is forgotten',
      wholeNumber('--interval', 1, 86_400),
      DEFAULT_LIMITS.intervalS,
    )
    .option('-q, --quiet', 'print only where it listens')
    .action(async (flags: TrackerFlags) => {
      const { tracker } = await import('./tracker-action.ts');
      await tracker(flags);
    });
}
