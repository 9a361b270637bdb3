// Flags `seed` and `get` share: where to listen, whom to dial, and what to write.
import type { Command } from 'commander';
import { repeatable, wholeNumber } from '../options.ts';

export interface NetFlags {
  host: string;
  port: number;
  dialFrom?: string;
  peer: string[];
  tracker: boolean;
  json?: string;
  quiet?: boolean;
  verbose?: boolean;
}

export function addNetFlags(command: Command, defaultPort: number): Command {
  return command
    .option('--host <address>', 'the address to listen on', '0.0.0.0')
    .option(
      '--port <n>',
      'the TCP port to listen on (0: any free one)',
      wholeNumber('--port', 0, 65535),
      defaultPort,
    )
    .option('--dial-from <address>', 'the local address to connect and announce from')
    .option('--peer <host:port>', "a peer to connect to besides the tracker's (repeatable)", repeatable, [])
    .option('--no-tracker', "never ask the torrent's tracker: only the --peer peers")
    .option(
      '--json <file>',
      'write the results (bytes each way per peer, pieces, hash failures, time series)',
    )
    .option('-q, --quiet', 'no progress bar or status lines')
    .option('--verbose', 'say on standard error when each connection opens and closes, and why');
}

/** Resolves on the first SIGINT or SIGTERM (and stops listening for them). */
export function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
