// What `seed` and `get` do alike: opening the torrent and its folder, starting the peer, and writing the
// results (their flags are in net-flags.ts, waiting for Ctrl-C in ../signals.ts).
import { performance } from 'node:perf_hooks';
import type { NetPeerListener } from '../../bittorrent/net/net-peer.ts';
import { openSession, type Session } from '../../bittorrent/net/session.ts';
import type { StoreMode } from '../../bittorrent/net/storage.ts';
import { jsonText } from '../../results/classic.ts';
import { checkDestinations } from '../../util/destinations.ts';
import { writeAll } from '../../util/output-set.ts';
import { listenError, UsageError } from '../errors.ts';
import { VERSION } from '../version.ts';
import type { NetFlags } from './net-flags.ts';
import { printWritten } from './written.ts';

/** Checks where `--json` goes, then opens the torrent, its folder and a peer as the flags say. */
export async function openFromFlags(
  torrentPath: string,
  folder: string,
  mode: StoreMode,
  flags: NetFlags,
): Promise<Session> {
  if (flags.json !== undefined) {
    await checkDestinations([{ kind: 'file', path: flags.json, flag: '--json' }], [torrentPath]);
  }
  return openSession({
    torrentPath,
    folder,
    mode,
    host: flags.host,
    port: flags.port,
    dialFrom: flags.dialFrom,
    peers: flags.peer,
    noTracker: !flags.tracker,
    log: flags.verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined,
  });
}

/** Starts the peer; an address it cannot listen on is the user's to fix (exit 2). */
export async function startPeer(session: Session, flags: NetFlags, listener: NetPeerListener): Promise<void> {
  try {
    await session.peer.start(listener);
  } catch (error) {
    const failure = listenError(flags.host, flags.port, error);
    if (failure instanceof UsageError) await session.store.close();
    throw failure;
  }
}

/** Writes `--json`, if asked, and says so. */
export async function writeLiveResults(
  flags: NetFlags,
  torrentPath: string,
  session: Session,
  run: { readonly role: 'seed' | 'leecher'; readonly endedS: number; readonly startedMs: number },
): Promise<void> {
  const json = flags.json;
  if (json === undefined) return;
  const { metainfo, peer } = session;
  // Loaded only with --json: the results' summary brings the theory's bounds with it.
  const { toLiveResults } = await import('../../results/live.ts');
  const results = toLiveResults(peer.stats, {
    source: torrentPath,
    name: metainfo.name,
    totalLength: metainfo.totalLength,
    pieceLength: metainfo.pieceLength,
    role: run.role,
    endedS: run.endedS,
    wallMs: performance.now() - run.startedMs,
    swarmlab: VERSION,
    createdAt: new Date(),
  });
  printWritten(await writeAll((outputs) => outputs.write(json, jsonText(results))));
}
