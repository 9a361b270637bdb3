// A BitTorrent peer as a state machine (BEP 3 semantics): it tracks what its neighbours have, says when it
// is interested, requests pieces through its piece picker, serves the neighbours its choker unchokes, and
// announces every piece it completes. Time and randomness come in as arguments; it does no I/O.
import type { Rng } from '../../util/rng.ts';
import { Availability } from './availability.ts';
import { Bitset } from './bitset.ts';
import type { ChokeCandidate, Choker } from './choker.ts';
import { Connection } from './connection.ts';
import { PeerStore } from './peer-store.ts';
import { endgamePick, type PickContext, type PiecePicker } from './piece-picker.ts';
import type { PeerId, WireOut } from './wire.ts';

/** Regular upload slots; tit-for-tat adds one optimistic slot, other chokers get it as a regular one. */
export const UPLOAD_SLOTS = 4;
/** Tit-for-tat rotates its optimistic unchoke every third rechoke round (30 s). */
export const OPTIMISTIC_EVERY_ROUNDS = 3;
/**
 * Requests a lone peer queues from one neighbour before it rejects more, as BEP 6 lets it: 32 MiB in
 * pieces of 256 KiB, more than clients keep asked of one peer. Peers that share a store queue what
 * their neighbours, peers of the same store, keep in flight.
 */
export const QUEUED_REQUESTS = 128;
/** A leecher none of whose neighbours has anything for it asks the tracker again after 6 rounds (60 s). */
export const STARVED_ANNOUNCE_ROUNDS = 6;

export interface PeerOptions {
  readonly pieces: number;
  readonly pieceBytes: (piece: number) => number;
  readonly picker: PiecePicker;
  readonly choker: Choker;
  readonly endgame: boolean;
  /** Pieces asked of one neighbour at a time (BitTorrent pipelines blocks; see the simulator's mapping). */
  readonly piecesInFlight: number;
  readonly maxConnections: number;
  /** A free rider downloads but never unchokes anyone. */
  readonly freeRider: boolean;
  /** Starts holding every piece (an initial seed). */
  readonly seed: boolean;
  /** Where the peer's piece state lives: a store shared by the peers of one process, or one of its own. */
  readonly place?: { readonly store: PeerStore; readonly index: number };
}

export class BtPeer {
  readonly have: Bitset;
  readonly connections = new Map<PeerId, Connection>();
  /** The same connections, densely packed: iterating them is on the hot path. */
  readonly links: Connection[] = [];
  /**
   * For each link: our end's slot in the store; the store index of the peer at the other end, when the
   * remote view is that peer's announced set in the store (-1: a view of our own); and the other end's
   * slot once the two ends are paired (-1 before).
   */
  private readonly linkEnds: number[] = [];
  private readonly linkOwners: number[] = [];
  private readonly linkMirrorEnds: number[] = [];
  private readonly store: PeerStore;
  /** This peer's index in its store. */
  private readonly index: number;
  /**
   * How many neighbours hold each piece we lack. A piece we hold is never picked again, so its count is
   * left as it was when we got it (neither raised nor lowered after): that spares a write per `have`
   * heard for about half of all haves.
   */
  private readonly availability: Availability;
  /** How many neighbours each piece is requested from. */
  private readonly requested: Uint16Array;
  /** Missing pieces that nobody is asked for: end game begins when this reaches zero. */
  private unrequestedMissing: number;
  private optimisticPeer: PeerId | undefined;
  /** Neighbours we do not choke: an interested message asks whether a slot is free. */
  private unchoked = 0;
  /** Reused by every pick: picks happen on every have, and allocate nothing. */
  private readonly pickContext: PickContext;
  private rounds = 0;
  private announcedAtRound = 0;
  bytesReceived = 0;
  bytesSent = 0;

  constructor(
    readonly id: PeerId,
    private readonly options: PeerOptions,
    private readonly rng: Rng,
  ) {
    const place = options.place ?? {
      store: new PeerStore(1, options.pieces, options.maxConnections, {
        inFlight: options.piecesInFlight,
        queued: Math.max(options.piecesInFlight, QUEUED_REQUESTS),
      }),
      index: 0,
    };
    const { slots } = place.store;
    if (options.piecesInFlight > Math.min(slots.inFlight, slots.queued)) {
      throw new RangeError(
        `${options.piecesInFlight} pieces in flight, but the store has slots for ${slots.inFlight} in flight and ${slots.queued} queued`,
      );
    }
    this.store = place.store;
    this.index = place.index;
    this.store.owners[this.index] = this;
    this.have = new Bitset(options.pieces, this.store.haveOf(this.index));
    if (options.seed) this.have.addAll();
    this.availability = new Availability(
      options.pieces,
      options.maxConnections,
      this.store.countsOf(this.index),
    );
    this.requested = new Uint16Array(options.pieces);
    this.unrequestedMissing = options.pieces - this.have.count;
    this.pickContext = {
      availability: this.availability,
      remote: this.have,
      requested: this.requested,
      have: this.have,
      rng,
    };
  }

  get isSeed(): boolean {
    return this.have.isFull;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Joins the swarm: asks the tracker for peers. */
  start(out: WireOut): void {
    this.announcedAtRound = this.rounds;
    out.announce(this.id);
  }

  /** The tracker's answer: connect to those we are not connected to, up to our limit. */
  onPeers(peers: readonly PeerId[], out: WireOut): void {
    // Connections asked for count against the limit before they are up.
    let room = this.options.maxConnections - this.connections.size;
    for (const peer of peers) {
      if (room <= 0) return;
      if (peer === this.id || this.connections.has(peer)) continue;
      out.connect(this.id, peer);
      room--;
    }
  }

  canAccept(peer: PeerId): boolean {
    return (
      peer !== this.id && !this.connections.has(peer) && this.connections.size < this.options.maxConnections
    );
  }

  /** A connection is up and the other end's bitfield has arrived. */
  onConnected(peer: PeerId, bitfield: Bitset, out: WireOut): Connection {
    const remote = new Bitset(this.options.pieces);
    remote.copyFrom(bitfield);
    return this.attach(peer, remote, -1, out);
  }

  /**
   * `onConnected` for a runtime that holds both peers in one store and has every neighbour of a peer hear
   * its haves at the same instant: the remote view is the neighbour's announced set in the store, which
   * the runtime adds each have to before `announceToNeighbours`.
   */
  onConnectedInStore(peer: PeerId, neighbour: number, out: WireOut): Connection {
    return this.attach(peer, this.store.announcedOf(neighbour), neighbour, out);
  }

  private attach(peer: PeerId, remote: Bitset, neighbour: number, out: WireOut): Connection {
    const connection = new Connection(this.store, this.store.openEnd(), this.index, peer, remote);
    this.connections.set(peer, connection);
    connection.slot = this.links.length;
    this.links.push(connection);
    this.linkEnds.push(connection.end);
    this.linkOwners.push(neighbour);
    this.linkMirrorEnds.push(-1);
    connection.remote.forEach((piece) => {
      if (this.have.has(piece)) return;
      this.availability.increment(piece);
      connection.interesting++;
    });
    this.updateInterest(connection, out);
    // Two seeds have nothing to give each other: the connection would only hold a slot.
    if (this.isSeed && connection.remote.isFull) out.disconnect(this.id, peer);
    return connection;
  }

  onDisconnected(peer: PeerId, out: WireOut): void {
    const connection = this.connections.get(peer);
    if (connection === undefined) return;
    this.connections.delete(peer);
    const last = this.links.pop() as Connection;
    const lastEnd = this.linkEnds.pop() as number;
    const lastOwner = this.linkOwners.pop() as number;
    const lastMirrorEnd = this.linkMirrorEnds.pop() as number;
    if (last !== connection) {
      this.links[connection.slot] = last;
      this.linkEnds[connection.slot] = lastEnd;
      this.linkOwners[connection.slot] = lastOwner;
      this.linkMirrorEnds[connection.slot] = lastMirrorEnd;
      last.slot = connection.slot;
    }
    const mirror = connection.mirror;
    if (mirror !== null) {
      mirror.mirror = null;
      (this.store.owners[mirror.owner] as BtPeer).linkMirrorEnds[mirror.slot] = -1;
    }
    connection.remote.forEach((piece) => {
      if (!this.have.has(piece)) this.availability.decrement(piece);
    });
    if (this.optimisticPeer === peer) this.optimisticPeer = undefined;
    if (!connection.amChoking) this.unchoked--;
    this.dropRequests(connection, out);
    // Last: the end's slots are read until here, and may be handed to a new connection after.
    this.store.closeEnd(connection.end);
    // Alone, a leecher can only wait for someone to find it: ask the tracker for peers now.
    if (this.connections.size === 0 && !this.isSeed) this.start(out);
  }

  /**
   * Leaves the swarm, once every neighbour has forgotten it (onDisconnected): gives the ends of its
   * connections back to the store, so that a long run of arrivals and departures reuses them.
   */
  leave(): void {
    for (const connection of this.links) this.store.closeEnd(connection.end);
    this.connections.clear();
    this.links.length = 0;
    this.linkEnds.length = 0;
    this.linkOwners.length = 0;
    this.linkMirrorEnds.length = 0;
    this.optimisticPeer = undefined;
    this.unchoked = 0;
  }

  onHave(peer: PeerId, piece: number, out: WireOut): void {
    const connection = this.connections.get(peer);
    if (connection?.remote.add(piece)) this.onAnnounced(connection, piece, out);
  }

  /** A have already recorded in the connection's remote view (a view shared by the runtime). */
  onAnnounced(connection: Connection, piece: number, out: WireOut): void {
    if (this.have.has(piece)) return;
    this.availability.increment(piece);
    connection.interesting++;
    this.afterWantedHave(connection, out);
  }

  /**
   * Every neighbour hears at once that this peer has `piece` (already recorded in the view their
   * connections share): `onAnnounced` on each paired neighbour, through the store's arrays. Only a
   * neighbour whose interest may change, or that we unchoke, is reached through its objects.
   */
  announceToNeighbours(piece: number, out: WireOut): void {
    const store = this.store;
    const { have, counts, owners, pieces, words } = store;
    const word = piece >>> 5;
    const bit = 1 << (piece & 31);
    const links = this.links;
    for (let k = 0; k < links.length; k++) {
      const end = this.linkMirrorEnds[k] as number;
      if (end < 0) continue;
      const owner = this.linkOwners[k] as number;
      if (((have[owner * words + word] as number) & bit) !== 0) continue;
      const cell = owner * pieces + piece;
      counts[cell] = (counts[cell] as number) + 1;
      const interesting = store.interesting;
      const before = interesting[end] as number;
      interesting[end] = before + 1;
      if (before === 0 || store.peerChoking[end] === 0) {
        (owners[owner] as BtPeer).afterWantedHave((links[k] as Connection).mirror as Connection, out);
      }
    }
  }

  /** The other end announced a piece we lack (already counted): interest, and requests if unchoked. */
  private afterWantedHave(connection: Connection, out: WireOut): void {
    this.updateInterest(connection, out);
    if (connection.amInterested && !connection.peerChoking) this.fillRequests(connection, out);
  }

  /** Links two ends of one connection, both of peers in one store (a runtime holding every peer). */
  static pair(a: BtPeer, ab: Connection, b: BtPeer, ba: Connection): void {
    if (a.store !== b.store) throw new Error('paired peers must share a store');
    ab.mirror = ba;
    ba.mirror = ab;
    a.linkOwners[ab.slot] = b.index;
    a.linkMirrorEnds[ab.slot] = ba.end;
    b.linkOwners[ba.slot] = a.index;
    b.linkMirrorEnds[ba.slot] = ab.end;
  }

  onInterested(peer: PeerId, interested: boolean, out: WireOut): void {
    const connection = this.connections.get(peer);
    if (connection === undefined) return;
    connection.peerInterested = interested;
    // Do not leave an upload slot idle until the next round: a newly interested peer may take a free one.
    if (interested && connection.amChoking && this.unchoked < this.totalSlots()) {
      this.setChoked(connection, false, out);
    }
  }

  onChoke(peer: PeerId, choked: boolean, out: WireOut): void {
    const connection = this.connections.get(peer);
    if (connection === undefined) return;
    connection.peerChoking = choked;
    // Requests stay in flight when choked: each ends as a piece or a reject.
    if (!choked) this.fillRequests(connection, out);
  }

  onReject(peer: PeerId, piece: number, out: WireOut): void {
    const connection = this.connections.get(peer);
    if (connection === undefined || !connection.removeInFlight(piece)) return;
    this.unrequest(piece);
    this.refillUnchoked(out);
  }

  onRequest(peer: PeerId, piece: number, out: WireOut): void {
    const connection = this.connections.get(peer);
    if (connection === undefined) return;
    if (connection.amChoking || !this.have.has(piece) || !connection.enqueue(piece)) {
      out.reject(this.id, peer, piece);
      return;
    }
    if (!connection.uploading) this.transmitNext(connection, out);
  }

  onCancel(peer: PeerId, piece: number, out: WireOut): void {
    const connection = this.connections.get(peer);
    if (connection === undefined) return;
    const at = connection.queuedAt(piece);
    if (at < 0) return;
    connection.dequeueAt(at);
    // A piece is many blocks: what has not been sent of the one under way is not sent.
    if (at === 0 && connection.uploading) {
      connection.uploading = false;
      out.abortTransmit(this.id, peer);
      this.transmitNext(connection, out);
    }
  }

  /** Blocks of `piece`, under way to `peer`, have left: they count now. */
  onBlocksSent(peer: PeerId, piece: number, bytes: number): void {
    const connection = this.connections.get(peer);
    if (connection === undefined) return;
    if (connection.blocksOutPiece !== piece) {
      connection.blocksOutPiece = piece;
      connection.blocksOut = 0;
    }
    connection.blocksOut += bytes;
    this.countSent(connection, bytes);
  }

  /** Blocks of `piece`, under way from `peer`, have arrived: they count now. */
  onBlocksReceived(peer: PeerId, piece: number, bytes: number): void {
    const connection = this.connections.get(peer);
    if (connection === undefined) return;
    if (connection.blocksInPiece !== piece) {
      connection.blocksInPiece = piece;
      connection.blocksIn = 0;
    }
    connection.blocksIn += bytes;
    this.countReceived(connection, bytes);
  }

  /** The last byte of a piece we were sending has left. */
  onTransmitted(peer: PeerId, piece: number, out: WireOut): void {
    const connection = this.connections.get(peer);
    if (connection === undefined) return;
    const counted = connection.blocksOutPiece === piece ? connection.blocksOut : 0;
    connection.blocksOutPiece = -1;
    this.countSent(connection, Math.max(0, this.options.pieceBytes(piece) - counted));
    connection.uploading = false;
    if (connection.queueHead === piece) connection.dequeueAt(0);
    this.transmitNext(connection, out);
  }

  /** A whole piece has arrived from `peer`. */
  onPiece(peer: PeerId, piece: number, out: WireOut): void {
    const connection = this.connections.get(peer);
    const bytes = this.options.pieceBytes(piece);
    if (connection === undefined) this.bytesReceived += bytes;
    else {
      const counted = connection.blocksInPiece === piece ? connection.blocksIn : 0;
      connection.blocksInPiece = -1;
      this.countReceived(connection, Math.max(0, bytes - counted));
      if (connection.removeInFlight(piece)) this.unrequest(piece);
    }
    if (this.have.add(piece)) this.completePiece(piece, out);
    if (connection?.amInterested && !connection.peerChoking) {
      this.fillRequests(connection, out);
    }
  }

  private countSent(connection: Connection, bytes: number): void {
    connection.sentThisRound += bytes;
    connection.sentTotal += bytes;
    this.bytesSent += bytes;
  }

  private countReceived(connection: Connection, bytes: number): void {
    connection.receivedThisRound += bytes;
    this.bytesReceived += bytes;
  }

  /** A rechoke round (every 10 s): the choker picks who we upload to until the next round. */
  rechoke(out: WireOut): void {
    this.rounds++;
    // Close the round first: the choker ranks neighbours by what they did in the round just ended.
    for (const connection of this.links) connection.endRound();
    this.dropIdleConnection(out);
    if (this.starved()) this.start(out);
    const interested: ChokeCandidate[] = [];
    for (const connection of this.links) if (connection.peerInterested) interested.push(connection);
    const { choker, freeRider } = this.options;
    const regularSlots = choker.optimistic ? UPLOAD_SLOTS : UPLOAD_SLOTS + 1;
    const chosen = new Set(freeRider ? [] : choker.choose(interested, regularSlots, this.isSeed, this.rng));
    if (choker.optimistic && !freeRider) this.rotateOptimistic(interested, chosen);
    if (this.optimisticPeer !== undefined) chosen.add(this.optimisticPeer);
    for (const connection of this.links) this.setChoked(connection, !chosen.has(connection.peer), out);
  }

  /** A leecher that no neighbour is serving, for a while, needs other neighbours. */
  private starved(): boolean {
    if (this.isSeed || this.rounds - this.announcedAtRound < STARVED_ANNOUNCE_ROUNDS) return false;
    return !this.links.some((connection) => connection.amInterested && !connection.peerChoking);
  }

  /**
   * At the connection limit, close one connection where neither end wants anything from the other, or
   * one that has kept us choked for a minute while we wanted from it, so that the next announce can
   * bring a peer that serves (without this a swarm of full, useless connections never recovers).
   */
  private dropIdleConnection(out: WireOut): void {
    if (this.connections.size < this.options.maxConnections) return;
    const useless =
      this.links.find((c) => !c.amInterested && !c.peerInterested && c.inFlightCount === 0 && !c.uploading) ??
      this.links.find((c) => c.chokedRounds >= STARVED_ANNOUNCE_ROUNDS && !c.peerInterested);
    if (useless !== undefined) out.disconnect(this.id, useless.peer);
  }

  private rotateOptimistic(interested: readonly ChokeCandidate[], chosen: ReadonlySet<PeerId>): void {
    const current = this.optimisticPeer === undefined ? undefined : this.connections.get(this.optimisticPeer);
    const keep = current?.peerInterested === true && this.rounds % OPTIMISTIC_EVERY_ROUNDS !== 0;
    if (keep) return;
    const choked = interested.filter((c) => !chosen.has(c.peer));
    this.optimisticPeer = choked.length === 0 ? undefined : this.rng.pick(choked).peer;
  }

  private totalSlots(): number {
    return this.options.freeRider ? 0 : UPLOAD_SLOTS + 1;
  }

  /** Chokes or unchokes a neighbour, and says so; nothing if it is so already. */
  private setChoked(connection: Connection, choked: boolean, out: WireOut): void {
    if (choked === connection.amChoking) return;
    connection.amChoking = choked;
    this.unchoked += choked ? -1 : 1;
    out.choke(this.id, connection.peer, choked);
    if (!choked) return;
    // The piece under way is finished (BitTorrent would keep its finished blocks); the requests still
    // queued are rejected, so that the asker can ask elsewhere at once (BEP 6).
    const keep = connection.uploading ? 1 : 0;
    for (const piece of connection.takeQueuedAfter(keep)) out.reject(this.id, connection.peer, piece);
  }

  private transmitNext(connection: Connection, out: WireOut): void {
    const next = connection.queueHead;
    if (next < 0 || connection.amChoking) return;
    connection.uploading = true;
    out.transmit(this.id, connection.peer, next);
  }

  private completePiece(piece: number, out: WireOut): void {
    // End game may have asked others for it too: cancel those.
    if (this.requested[piece] !== 0) this.cancelElsewhere(piece, out);
    else this.unrequestedMissing--;
    this.loseInterestIn(piece, out);
    out.have(this.id, piece);
    if (!this.have.isFull) return;
    out.completed(this.id);
    for (const connection of this.links)
      if (connection.remote.isFull) out.disconnect(this.id, connection.peer);
  }

  private cancelElsewhere(piece: number, out: WireOut): void {
    for (const connection of this.links) {
      if (connection.removeInFlight(piece)) {
        this.addRequested(piece, -1);
        out.cancel(this.id, connection.peer, piece);
      }
    }
  }

  /**
   * We hold `piece` now: it no longer draws us to the neighbours that have it. Runs on every piece for
   * every neighbour, so it reads the store's arrays, not the connections' objects.
   */
  private loseInterestIn(piece: number, out: WireOut): void {
    const { announced, words } = this.store;
    const word = piece >>> 5;
    const bit = 1 << (piece & 31);
    const links = this.links;
    for (let k = 0; k < links.length; k++) {
      const owner = this.linkOwners[k] as number;
      const has =
        owner >= 0
          ? ((announced[owner * words + word] as number) & bit) !== 0
          : (links[k] as Connection).remote.has(piece);
      if (!has) continue;
      const interesting = this.store.interesting;
      const end = this.linkEnds[k] as number;
      const left = (interesting[end] as number) - 1;
      interesting[end] = left;
      if (left === 0) this.updateInterest(links[k] as Connection, out);
    }
  }

  private updateInterest(connection: Connection, out: WireOut): void {
    const interested = connection.interesting > 0;
    if (interested === connection.amInterested) return;
    connection.amInterested = interested;
    out.interested(this.id, connection.peer, interested);
  }

  private fillRequests(connection: Connection, out: WireOut): void {
    if (connection.inFlightCount >= this.options.piecesInFlight) return;
    const context = this.pickContext;
    context.remote = connection.remote;
    while (connection.inFlightCount < this.options.piecesInFlight) {
      let piece = this.options.picker(context);
      if (piece < 0 && this.options.endgame && this.unrequestedMissing === 0) {
        piece = endgamePick(context, (p) => connection.isInFlight(p));
      }
      if (piece < 0) return;
      connection.addInFlight(piece);
      if (this.addRequested(piece, 1) === 1) this.unrequestedMissing--;
      out.request(this.id, connection.peer, piece);
    }
  }

  /** Requests to this connection are void (choked or gone): ask others for those pieces. */
  private dropRequests(connection: Connection, out: WireOut): void {
    if (connection.inFlightCount === 0) return;
    const dropped = connection.takeInFlight();
    for (const piece of dropped) this.unrequest(piece);
    this.refillUnchoked(out);
  }

  /** Pieces became requestable again: ask every neighbour that serves us. */
  private refillUnchoked(out: WireOut): void {
    for (const other of this.links) {
      if (other.amInterested && !other.peerChoking) this.fillRequests(other, out);
    }
  }

  private unrequest(piece: number): void {
    if (this.addRequested(piece, -1) === 0 && !this.have.has(piece)) this.unrequestedMissing++;
  }

  private addRequested(piece: number, delta: number): number {
    const count = (this.requested[piece] as number) + delta;
    this.requested[piece] = count;
    return count;
  }
}
