// Pipelining sized by the runtime: setRequestsInFlight changes how many blocks a peer keeps asked of one
// neighbour, and the snubbed rule (one at a time) still wins.
import { describe, expect, it } from 'vitest';
import { titForTat } from '../../../src/bittorrent/core/choker.ts';
import { TorrentGeometry } from '../../../src/bittorrent/core/geometry.ts';
import type { LinkId } from '../../../src/bittorrent/core/ids.ts';
import { BLOCK_BYTES, type PeerMessage } from '../../../src/bittorrent/core/messages.ts';
import type { PeerOutbox } from '../../../src/bittorrent/core/outbox.ts';
import { BtPeer, DEFAULT_CONFIG } from '../../../src/bittorrent/core/peer.ts';
import { rarestFirstPicker } from '../../../src/bittorrent/core/piece-picker.ts';
import { Rng } from '../../../src/util/rng.ts';

const geometry = new TorrentGeometry(64 * BLOCK_BYTES, 4 * BLOCK_BYTES, BLOCK_BYTES);

function leecherWithASeedNeighbour(): { peer: BtPeer<string>; link: LinkId; requests: () => number } {
  const sent: PeerMessage[] = [];
  const outbox: PeerOutbox<string> = {
    send: (_link, message) => sent.push(message),
    broadcast() {},
    close() {},
    connect() {},
    announce() {},
    verify() {},
    withdraw: () => false,
    event() {},
  };
  const peer = new BtPeer<string>(
    {
      ...DEFAULT_CONFIG,
      geometry,
      infoHash: new Uint8Array(20).fill(1),
      peerId: new Uint8Array(20).fill(2),
      picker: rarestFirstPicker,
      choker: titForTat,
      requestsPerLink: 4,
    },
    outbox,
    new Rng(1),
  );
  const link = peer.openLink(0, 'seed:1', true) as LinkId;
  peer.handle(
    link,
    {
      kind: 'handshake',
      infoHash: new Uint8Array(20).fill(1),
      peerId: new Uint8Array(20).fill(3),
      fast: true,
    },
    0,
  );
  peer.handle(link, { kind: 'have-all' }, 0);
  peer.handle(link, { kind: 'unchoke' }, 0);
  return { peer, link, requests: () => sent.filter((m) => m.kind === 'request').length };
}

describe('requests in flight, set by the runtime', () => {
  it('asks more of a neighbour once told its link carries more', () => {
    const { peer, link, requests } = leecherWithASeedNeighbour();
    expect(requests()).toBe(4);
    peer.setRequestsInFlight(link, 20, 1);
    expect(requests()).toBe(20);
    peer.checkInvariants();
  });

  it('asks no more (and takes nothing back) when told fewer, and ignores a count below 1', () => {
    const { peer, link, requests } = leecherWithASeedNeighbour();
    peer.setRequestsInFlight(link, 2, 1);
    peer.setRequestsInFlight(link, 0, 1);
    expect(requests()).toBe(4);
    peer.checkInvariants();
  });
});
