// A live session as the `seed` and `get` commands start it: the torrent file read and checked, the
// folder opened (and rehashed), and a net peer listening, dialling the tracker's peers and any given.
import { InputError } from '../../util/input-error.ts';
import { parseAddress } from './address.ts';
import { type Metainfo, readTorrentFile } from './metainfo.ts';
import { NetPeer } from './net-peer.ts';
import { makePeerId } from './peer-id.ts';
import { PieceStore, type StoreMode } from './storage.ts';
import { trackerAnnouncer } from './tracker-announcer.ts';

export interface SessionOptions {
  readonly torrentPath: string;
  readonly folder: string;
  readonly mode: StoreMode;
  /** Where to listen. */
  readonly host: string;
  readonly port: number;
  /** The local address to dial and announce from. */
  readonly dialFrom?: string | undefined;
  /** Peers to dial besides the tracker's, `host:port`. */
  readonly peers: readonly string[];
  /** Never ask the torrent's tracker (the given peers only). */
  readonly noTracker: boolean;
  readonly log?: ((line: string) => void) | undefined;
}

export interface Session {
  readonly metainfo: Metainfo;
  readonly store: PieceStore;
  readonly peer: NetPeer;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  for (const peer of options.peers) {
    if (parseAddress(peer) === undefined)
      throw new InputError('--peer', undefined, `'${peer}' is not HOST:PORT (an IPv6 host in brackets)`);
  }
  const metainfo = await readTorrentFile(options.torrentPath);
  const store = await PieceStore.open(metainfo, options.folder, options.mode);
  if (options.mode === 'seed' && !store.complete) {
    await store.close();
    throw new InputError(
      options.folder,
      undefined,
      `holds ${store.held.count} of the ${metainfo.pieceCount} pieces of ${options.torrentPath}: a seed needs every one (is --data the folder that holds '${metainfo.name}'?)`,
    );
  }
  const peerId = makePeerId();
  // Listening on one address, dial from it too: peers then see one address for us.
  const dialFrom = options.dialFrom ?? (isWildcard(options.host) ? undefined : options.host);
  const useTracker = !options.noTracker && metainfo.announce !== '';
  const peer = new NetPeer({
    torrent: metainfo,
    store,
    held: store.held,
    host: options.host,
    port: options.port,
    dialFrom,
    peers: options.peers,
    peerId,
    log: options.log,
    announce: useTracker
      ? trackerAnnouncer(metainfo.announce, metainfo.infoHash, peerId, dialFrom)
      : undefined,
  });
  return { metainfo, store, peer };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}
