// What the net runtime needs of the torrent, the disk and the tracker: narrow shapes, so that the runtime
// can be driven by the torrent file and storage modules of this folder, or by in-memory ones in tests.
import type { AnnounceEvent } from '../core/outbox.ts';

/** The parts of a torrent's info dictionary a peer works from. */
export interface TorrentShape {
  /** 20 bytes: the SHA-1 of the bencoded info dictionary. */
  readonly infoHash: Uint8Array;
  readonly pieceLength: number;
  readonly pieceCount: number;
  readonly totalLength: number;
  /** The 20-byte SHA-1 the piece must hash to. */
  pieceHash(index: number): Uint8Array;
}

/**
 * Pieces on disk (storage.ts's PieceStore, or a test's). `writePiece` checks the piece's SHA-1 first and
 * writes it only if it matches: the one hash every piece gets before it is written or announced.
 */
export interface PieceDisk {
  readBlock(index: number, begin: number, length: number): Promise<Uint8Array>;
  /** Whether the piece matched its hash (and so was written). */
  writePiece(index: number, data: Uint8Array): Promise<boolean>;
}

export interface TrackerQuery {
  readonly event: AnnounceEvent;
  readonly numwant: number;
  readonly uploaded: number;
  readonly downloaded: number;
  readonly left: number;
  /** The port our listener is on. */
  readonly port: number;
}

/** Peers as `host:port` (an IPv6 host in brackets). */
export interface TrackerAnswer {
  readonly peers: readonly string[];
}

/** Asks the tracker; rejects when the tracker cannot be reached or answers with a failure. */
export type Announcer = (query: TrackerQuery) => Promise<TrackerAnswer>;
