// Hostile peers against the net runtime, over real loopback sockets: bytes that are not BitTorrent, the
// wrong torrent, lengths no message may have, blocks shorter than asked, and data that fails its hash.
// The runtime hangs up (and refuses a host after repeated offences), and the download still ends with
// the exact bytes from the honest seed.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Bitset } from '../../../src/bittorrent/core/bitset.ts';
import { encodeHandshake, encodeMessage, WireDecoder } from '../../../src/bittorrent/core/codec.ts';
import { DEFAULT_TIMERS } from '../../../src/bittorrent/core/peer.ts';
import { NetPeer } from '../../../src/bittorrent/net/net-peer.ts';
import type { TorrentShape } from '../../../src/bittorrent/net/ports.ts';
import { freePort } from '../support/free-port.mjs';
import { MemoryStore, makeContent, memoryTorrent } from './memory-torrent.ts';

const FAST_TIMERS = { ...DEFAULT_TIMERS, rechokeS: 0.5, requestTimeoutS: 2, handshakeTimeoutS: 2 };
const content = makeContent(8 * 32768 + 999, 3);
const torrent = memoryTorrent(content, 32768);

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function startPeer(
  options: Partial<ConstructorParameters<typeof NetPeer>[0]> & { host: string },
): Promise<{ peer: NetPeer; store: MemoryStore; done: Promise<void> }> {
  const seeding = options.held?.isFull === true;
  const store = new MemoryStore(torrent, seeding ? content : undefined);
  const peer = new NetPeer({
    torrent,
    store,
    held: new Bitset(torrent.pieceCount),
    port: 0,
    dialFrom: options.host,
    timers: FAST_TIMERS,
    seed: 5,
    ...options,
  });
  cleanup.push(() => peer.stop());
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  await peer.start({ completed: finish });
  return { peer, store, done };
}

/** A fake seed: it answers the handshake, says it has every piece, and answers requests with `reply`. */
async function fakeSeed(
  host: string,
  shape: TorrentShape,
  reply: (request: { index: number; begin: number; length: number }) => Uint8Array,
): Promise<{ server: Server; port: number; requests: () => number }> {
  let requests = 0;
  const server = createServer((socket) => {
    const decoder = new WireDecoder({
      pieces: shape.pieceCount,
      maxBlockBytes: 1 << 17,
      expectHandshake: true,
    });
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const message of decoder.push(chunk).messages) {
        if (message.kind === 'handshake') {
          const peerId = new TextEncoder().encode('-XX0001-hostile00000');
          socket.write(encodeHandshake({ kind: 'handshake', infoHash: shape.infoHash, peerId, fast: true }));
          socket.write(encodeMessage({ kind: 'have-all' }, shape.pieceCount));
          socket.write(encodeMessage({ kind: 'unchoke' }, shape.pieceCount));
        } else if (message.kind === 'request') {
          requests++;
          socket.write(reply(message));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, port, requests: () => requests };
}

/** Opens a connection from `host`, writes `bytes`, and resolves when the runtime has closed it. */
function sendAndAwaitClose(from: string, port: number, bytes: Uint8Array, repeat = 1): Promise<'closed'> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port, localAddress: from });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the runtime never closed the connection'));
    }, 5000);
    socket.on('error', () => {});
    // Read what the runtime writes, or its close would never be seen.
    socket.resume();
    socket.on('connect', () => {
      for (let i = 0; i < repeat && !socket.destroyed; i++) socket.write(bytes);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

function handshake(infoHash: Uint8Array): Uint8Array {
  const peerId = new TextEncoder().encode('-XX0001-abcdefghijkl');
  return encodeHandshake({ kind: 'handshake', infoHash, peerId, fast: true });
}

function lengthPrefix(length: number, id: number): Uint8Array {
  const bytes = new Uint8Array(5);
  new DataView(bytes.buffer).setUint32(0, length);
  bytes[4] = id;
  return bytes;
}

describe('hostile peers against the net runtime', () => {
  it('hangs up on bytes that are not a handshake, the wrong torrent, and impossible lengths', async () => {
    const { peer } = await startPeer({ host: '127.0.0.1' });
    const garbage = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(68, 'x'));
    await sendAndAwaitClose('127.0.0.3', peer.port, garbage);
    await sendAndAwaitClose('127.0.0.4', peer.port, handshake(new Uint8Array(20).fill(9)));
    const good = handshake(torrent.infoHash);
    // A 2 GiB length, then a stream of bytes: refused before anything is buffered.
    const huge = concat(good, lengthPrefix(0x80000000, 7));
    await sendAndAwaitClose('127.0.0.5', peer.port, concat(huge, new Uint8Array(1 << 16)), 16);
    // Longer than any legal message (a piece of a 1 MiB block).
    await sendAndAwaitClose('127.0.0.6', peer.port, concat(good, lengthPrefix(9 + (1 << 20), 7)));
    expect(peer.stats.protocolErrors).toBe(4);
    expect(peer.core.linkCount).toBe(0);
  });

  it('refuses a host after three protocol errors past the handshake, not for bytes before one', async () => {
    const { peer } = await startPeer({ host: '127.0.0.1' });
    // Not a handshake (an encrypting client's first try looks like this): hung up on, not held against it.
    for (let i = 0; i < 3; i++)
      await sendAndAwaitClose('127.0.0.7', peer.port, new Uint8Array(96).fill(0xff));
    expect(peer.stats.bannedHosts).toEqual([]);
    const huge = concat(handshake(torrent.infoHash), lengthPrefix(0x80000000, 7));
    for (let i = 0; i < 3; i++) await sendAndAwaitClose('127.0.0.7', peer.port, huge);
    expect(peer.stats.bannedHosts).toEqual(['127.0.0.7']);
    // Banned: even a correct handshake is hung up on at once, and not read.
    await sendAndAwaitClose('127.0.0.7', peer.port, handshake(torrent.infoHash));
    expect(peer.stats.protocolErrors).toBe(6);
  });

  it('drops pieces that fail their hash, bans the sender, and ends with the exact bytes', async () => {
    const liar = await fakeSeed('127.0.0.8', torrent, (r) =>
      encodeMessage({ ...r, kind: 'piece', data: new Uint8Array(r.length).fill(0xaa) }, torrent.pieceCount),
    );
    // The honest seed comes once the liar is banned, so that every piece is first asked of the liar.
    const honestPort = await freePort('127.0.0.9');
    const leecher = await startPeer({
      host: '127.0.0.10',
      peers: [`127.0.0.8:${liar.port}`, `127.0.0.9:${honestPort}`],
    });
    await until(() => leecher.peer.stats.bannedHosts.includes('127.0.0.8'));
    expect(leecher.peer.stats.hashFailures).toBeGreaterThanOrEqual(3);
    await startPeer({ host: '127.0.0.9', port: honestPort, held: Bitset.full(torrent.pieceCount) });
    await leecher.done;
    expect(Buffer.from(leecher.store.data).equals(Buffer.from(content))).toBe(true);
    // Banned: the liar was not asked again once the honest seed came.
    expect(leecher.peer.stats.connections.filter((c) => c.address.startsWith('127.0.0.8:'))).toHaveLength(1);
  });

  it('ignores blocks shorter than asked and gets them from an honest peer', async () => {
    const short = await fakeSeed('127.0.0.11', torrent, (r) =>
      encodeMessage(
        {
          kind: 'piece',
          index: r.index,
          begin: r.begin,
          length: r.length - 1,
          data: new Uint8Array(r.length - 1),
        },
        torrent.pieceCount,
      ),
    );
    const honest = await startPeer({ host: '127.0.0.12', held: Bitset.full(torrent.pieceCount) });
    const leecher = await startPeer({
      host: '127.0.0.13',
      peers: [`127.0.0.11:${short.port}`, `127.0.0.12:${honest.peer.port}`],
    });
    await leecher.done;
    expect(short.requests()).toBeGreaterThan(0);
    expect(Buffer.from(leecher.store.data).equals(Buffer.from(content))).toBe(true);
    expect(leecher.peer.stats.hashFailures).toBe(0);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(condition()).toBe(true);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
