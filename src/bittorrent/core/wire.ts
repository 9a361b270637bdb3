// What a BitTorrent peer says, as calls rather than message objects: the simulator schedules each call
// as an event, a network runtime would encode it as a BEP 3 message. One outbox serves every peer (the
// sender is an argument), so the simulator's hot path allocates nothing per message.

export type PeerId = number;

export interface WireOut {
  /** Ask the tracker for peers to connect to. */
  announce(from: PeerId): void;
  /** Open a connection; both ends then exchange bitfields (the runtime calls onConnected on both). */
  connect(from: PeerId, to: PeerId): void;
  /** Close a connection (both ends forget it; transfers on it stop). */
  disconnect(from: PeerId, to: PeerId): void;
  interested(from: PeerId, to: PeerId, interested: boolean): void;
  choke(from: PeerId, to: PeerId, choked: boolean): void;
  request(from: PeerId, to: PeerId, piece: number): void;
  cancel(from: PeerId, to: PeerId, piece: number): void;
  /** Tell every neighbour that `from` now holds `piece`. */
  have(from: PeerId, piece: number): void;
  /** Start sending `piece` to `to`; the runtime reports onTransmitted here and onPiece there. */
  transmit(from: PeerId, to: PeerId, piece: number): void;
  /** Stop sending to `to` the piece under way (it was cancelled: end game got it elsewhere). */
  abortTransmit(from: PeerId, to: PeerId): void;
  /**
   * A request we will not serve (we choked its sender, or lack the piece), as in BEP 6: the asker
   * then asks someone else, instead of guessing what a choke discarded.
   */
  reject(from: PeerId, to: PeerId, piece: number): void;
  /** `from` now holds every piece. */
  completed(from: PeerId): void;
}
