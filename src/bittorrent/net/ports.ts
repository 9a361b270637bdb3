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

/** Whole, verified pieces on disk. */
export interface PieceStore {
  readPiece(index: number): Promise<Uint8Array>;
  writePiece(index: number, data: Uint8Array): Promise<void>;
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
