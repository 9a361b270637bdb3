// `swarmlab make-torrent FILE|DIR --tracker URL -o X.torrent`: a v1 .torrent (BEP 3) of a file or folder.
import type { Command } from 'commander';
import { makeTorrent, pieceLengthProblem } from '../../bittorrent/net/make-torrent.ts';
import { parseSize } from '../../bittorrent/scenario/units.ts';
import { checkDestinations } from '../../util/destinations.ts';
import { writeAll } from '../../util/output-set.ts';
import { UsageError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { printWritten } from './written.ts';

interface MakeTorrentFlags {
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
      await checkDestinations([{ kind: 'file', path: flags.output, flag: '--output' }], [path]);
      const made = await makeTorrent(path, {
        tracker: flags.tracker,
        createdBy: `swarmlab ${VERSION}`,
        ...(flags.pieceLength === undefined ? {} : { pieceLength: flags.pieceLength }),
      });
      printWritten(await writeAll((outputs) => outputs.write(flags.output, made.bytes)));
      if (flags.quiet) return;
      const meta = made.metainfo;
      const files = meta.multiFile ? `${meta.files.length} files in ${meta.name}/` : meta.name;
      process.stdout.write(
        `${files}: ${meta.totalLength} bytes in ${meta.pieceCount} pieces of ${meta.pieceLength}; ` +
          `info-hash ${Buffer.from(meta.infoHash).toString('hex')}\n`,
      );
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
