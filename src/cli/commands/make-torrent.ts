// `swarmlab make-torrent FILE|DIR --tracker URL -o X.torrent`: a v1 .torrent (BEP 3) of a file or folder.
// Declared here (flags, help); the action, in make-torrent-action.ts, is loaded only when the command runs.
import type { Command } from 'commander';
import { pieceLengthProblem } from '../../bittorrent/net/piece-length.ts';
import { parseSize } from '../../bittorrent/scenario/units.ts';
import { UsageError } from '../errors.ts';

export interface MakeTorrentFlags {
  tracker: string;
  pieceLength?: number;
  output: string;
  quiet?: boolean;
}

export function registerMakeTorrent(program: Command): void {
  program
    .command('make-torrent')
    .description('write a v1 .torrent (BEP 3) of a file or a folder')
    .argument('<path>', 'the file or folder to share')
    .requiredOption(
      '--tracker <url>',
      'the tracker announce URL, such as http://192.168.1.5:6969/announce',
      trackerUrl,
    )
    .option(
      '--piece-length <size>',
      'bytes per piece, a power of two from 16 KiB to 64 MiB (default: by size)',
      pieceLength,
    )
    .requiredOption('-o, --output <file>', 'the .torrent file to write')
    .option('-q, --quiet', 'print only what was written')
    .action(async (path: string, flags: MakeTorrentFlags) => {
      const { makeTorrentCommand } = await import('./make-torrent-action.ts');
      await makeTorrentCommand(path, flags);
    });
}

function trackerUrl(value: string): string {
  if (!/^(https?|udp):\/\/[^\s/]+/i.test(value))
    throw new UsageError(`--tracker takes a URL such as http://HOST:PORT/announce, got '${value}'`);
  return value;
}

function pieceLength(value: string): number {
  const bytes = parseSize(value);
  if (typeof bytes === 'string') throw new UsageError(`--piece-length: ${bytes}`);
  const problem = pieceLengthProblem(bytes);
  if (problem !== undefined) throw new UsageError(`--piece-length: ${problem}`);
  return bytes;
}
