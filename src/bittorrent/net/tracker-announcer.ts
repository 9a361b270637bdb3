// The net runtime's tracker port, over the HTTP tracker client: the core's announce request in, peers
// as `host:port` out, and a failure (the tracker's reason, a time-out) as a rejection.
import { formatAddress } from './address.ts';
import type { Announcer } from './ports.ts';
import { announce } from './tracker-client.ts';

export function trackerAnnouncer(
  url: string,
  infoHash: Uint8Array,
  peerId: Uint8Array,
  localAddress: string | undefined,
): Announcer {
  return async (query) => {
    const result = await announce(
      url,
      {
        infoHash,
        peerId,
        port: query.port,
        uploaded: query.uploaded,
        downloaded: query.downloaded,
        left: query.left,
        numwant: query.numwant,
        ...(query.event === 'periodic' ? {} : { event: query.event }),
      },
      localAddress === undefined ? {} : { localAddress },
    );
    if (!result.ok) throw new Error(result.reason);
    return { peers: result.peers.map((peer) => formatAddress(peer.host, peer.port)) };
  };
}
