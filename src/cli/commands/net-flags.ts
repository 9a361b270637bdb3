// The flags `seed` and `get` share: where to listen, whom to dial, what to write. Declared apart from
// net-command.ts, which opens sessions, so that declaring the commands loads no part of the net runtime.
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
