// An in-memory torrent and piece store for the net runtime's tests: content made from a seed, its piece
// hashes computed here (not by the code under test), and a store that can be told to lie.
import { createHash } from 'node:crypto';
import type { PieceDisk, TorrentShape } from '../../../src/bittorrent/net/ports.ts';

export function makeContent(bytes: number, salt = 1): Uint8Array {
  const content = new Uint8Array(bytes);
  let x = salt >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    content[i] = x & 0xff;
  }
  return content;
}

export function memoryTorrent(content: Uint8Array, pieceLength: number): TorrentShape {
  const pieceCount = Math.ceil(content.length / pieceLength);
  const hashes = Array.from({ length: pieceCount }, (_, i) =>
    createHash('sha1')
      .update(content.subarray(i * pieceLength, Math.min(content.length, (i + 1) * pieceLength)))
      .digest(),
  );
  const infoHash = createHash('sha1').update(Buffer.concat(hashes)).digest();
  return {
    infoHash,
    pieceLength,
    pieceCount,
    totalLength: content.length,
    pieceHash: (index) => hashes[index] as Uint8Array,
  };
}

export class MemoryStore implements PieceDisk {
  readonly data: Uint8Array;
  writes = 0;

  constructor(
    private readonly torrent: TorrentShape,
    initial?: Uint8Array,
  ) {
    this.data = initial?.slice() ?? new Uint8Array(torrent.totalLength);
  }

  async readBlock(index: number, begin: number, length: number): Promise<Uint8Array> {
    const at = index * this.torrent.pieceLength + begin;
    return this.data.slice(at, at + length);
  }

  async writePiece(index: number, piece: Uint8Array): Promise<boolean> {
    const digest = createHash('sha1').update(piece).digest();
    if (!digest.equals(this.torrent.pieceHash(index))) return false;
    this.writes++;
    this.data.set(piece, index * this.torrent.pieceLength);
    return true;
  }
}
