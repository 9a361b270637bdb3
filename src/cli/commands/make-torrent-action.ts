// What `swarmlab make-torrent` does (declared with its flags in make-torrent.ts, which loads this file
// when it runs: hashing needs node:crypto, which no other command's start-up should pay for).
import { makeTorrent } from '../../bittorrent/net/make-torrent.ts';
import { checkDestinations } from '../../util/destinations.ts';
import { writeAll } from '../../util/output-set.ts';
import { VERSION } from '../version.ts';
import type { MakeTorrentFlags } from './make-torrent.ts';
import { printWritten } from './written.ts';

export async function makeTorrentCommand(path: string, flags: MakeTorrentFlags): Promise<void> {
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
}
