// The net runtime on loopback: two cores over real TCP sockets, in one process.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Bitset } from '../../../src/bittorrent/core/bitset.ts';
import { encodeHandshake, encodeMessage, WireDecoder } from '../../../src/bittorrent/core/codec.ts';
import { NetPeer } from '../../../src/bittorrent/net/net-peer.ts';
import { MemoryStore, makeContent, memoryTorrent } from './memory-torrent.ts';

const started: NetPeer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((peer) => peer.stop()));
});

async function startPeer(options: ConstructorParameters<typeof NetPeer>[0]): Promise<{
  peer: NetPeer;
  done: Promise<void>;
}> {
  const peer = new NetPeer(options);
  started.push(peer);
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  await peer.start({ completed: finish, failed: (error) => expect.fail(error.message) });
  return { peer, done };
}

describe('the net runtime on loopback', () => {
  it('a leecher gets the exact bytes from a seed, every piece written once', async () => {
    const content = makeContent(3 * 65536 + 12345, 7);
    const torrent = memoryTorrent(content, 65536);
    const seedStore = new MemoryStore(torrent, content);
    const seed = await startPeer({
      torrent,
      store: seedStore,
      held: Bitset.full(torrent.pieceCount),
      host: '127.0.0.1',
      port: 0,
      seed: 1,
    });
    const store = new MemoryStore(torrent);
    const leecher = await startPeer({
      torrent,
      store,
      held: new Bitset(torrent.pieceCount),
      host: '127.0.0.2',
      port: 0,
      dialFrom: '127.0.0.2',
      peers: [`127.0.0.1:${seed.peer.port}`],
      seed: 2,
    });
    await leecher.done;
    expect(Buffer.from(store.data).equals(Buffer.from(content))).toBe(true);
    expect(store.writes).toBe(torrent.pieceCount);
    expect(leecher.peer.stats.hashFailures).toBe(0);
    expect(leecher.peer.stats.pieces).toBe(torrent.pieceCount);
    expect(leecher.peer.core.bytesReceived).toBe(content.length);
  });
});

describe('the net runtime and clients that bend BEP 3', () => {
  it('reads a bitfield sent again later (as aria2c does) as haves', async () => {
    const content = makeContent(4 * 16384, 9);
    const torrent = memoryTorrent(content, 16384);
    const { peer } = await startPeer({
      torrent,
      store: new MemoryStore(torrent),
      held: new Bitset(torrent.pieceCount),
      host: '127.0.0.1',
      port: 0,
      seed: 3,
    });
    const socket = connect({ host: '127.0.0.1', port: peer.port, localAddress: '127.0.0.14' });
    const pieces = torrent.pieceCount;
    const late = new Bitset(pieces);
    late.add(2);
    const peerId = new TextEncoder().encode('-A20000-abcdefghijkl');
    const heard: string[] = [];
    const decoder = new WireDecoder({ pieces, maxBlockBytes: 16384, expectHandshake: true });
    socket.on('data', (chunk) => {
      for (const message of decoder.push(chunk).messages) heard.push(message.kind);
    });
    await new Promise<void>((resolve) => socket.on('connect', resolve));
    socket.write(encodeHandshake({ kind: 'handshake', infoHash: torrent.infoHash, peerId, fast: true }));
    socket.write(encodeMessage({ kind: 'have-none' }, pieces));
    socket.write(encodeMessage({ kind: 'bitfield', pieces: late }, pieces));
    for (let i = 0; i < 100 && !heard.includes('interested'); i++)
      await new Promise((r) => setTimeout(r, 20));
    // It has piece 2 now, and the connection stays up.
    expect(heard).toContain('interested');
    expect(peer.core.linkCount).toBe(1);
    socket.destroy();
  });
});

describe('the net runtime when the tracker fails', () => {
  it('dials the peers it was given all the same', async () => {
    const content = makeContent(2 * 16384 + 5, 11);
    const torrent = memoryTorrent(content, 16384);
    const seed = await startPeer({
      torrent,
      store: new MemoryStore(torrent, content),
      held: Bitset.full(torrent.pieceCount),
      host: '127.0.0.15',
      port: 0,
      seed: 1,
    });
    const store = new MemoryStore(torrent);
    let announces = 0;
    const leecher = await startPeer({
      torrent,
      store,
      held: new Bitset(torrent.pieceCount),
      host: '127.0.0.16',
      port: 0,
      dialFrom: '127.0.0.16',
      peers: [`127.0.0.15:${seed.peer.port}`],
      announce: async () => {
        announces++;
        throw new Error('the tracker is down');
      },
      seed: 2,
    });
    await leecher.done;
    expect(announces).toBeGreaterThan(0);
    expect(Buffer.from(store.data).equals(Buffer.from(content))).toBe(true);
  });
});
