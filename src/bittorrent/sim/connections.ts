// The simulator's connections: which peer and which of its links sits at each end. Connection c has
// ends 2c (the dialler) and 2c + 1 (the dialled); a message sent from end e arrives at end e ^ 1. An end
// closes when its peer closes it or hears that the other end did; a connection is reused once both
// ends are closed, with a new generation, so that a message still under way to an old one is dropped.
// This table is the simulator's, not a peer's: peers know only their own link ids.
import { doubled } from '../../util/arrays.ts';
import type { LinkId } from '../core/ids.ts';

export class ConnectionTable {
  /** Per end: the peer there, its link id, and whether it is open. */
  private peerAt = new Int32Array(512);
  private linkAt = new Int32Array(512);
  private openAt = new Uint8Array(512);
  /** Per end: when the last message sent from it arrives (in order, with drawn latencies). */
  lastArrival = new Float64Array(512);
  /** Per connection: its generation (bumped on reuse). */
  private generation = new Int32Array(256);
  private readonly free: number[] = [];
  private used = 0;
  /** Per peer, per link id: the end (-1: none). */
  private readonly endOfLink: number[][];

  constructor(peers: number) {
    this.endOfLink = Array.from({ length: peers }, () => []);
  }

  /** A new connection between `dialler` and `dialled`; its ends get their links with `attach`. */
  open(dialler: number, dialled: number): number {
    const connection = this.free.pop() ?? this.grow();
    for (const [end, peer] of [
      [2 * connection, dialler],
      [2 * connection + 1, dialled],
    ] as const) {
      this.peerAt[end] = peer;
      this.linkAt[end] = -1;
      this.openAt[end] = 1;
      this.lastArrival[end] = 0;
    }
    return connection;
  }

  attach(end: number, link: LinkId): void {
    this.linkAt[end] = link;
    (this.endOfLink[this.peerAt[end] as number] as number[])[link] = end;
  }

  generationOf(end: number): number {
    return this.generation[end >> 1] as number;
  }

  /** The end, if it is open and of the connection's generation `generation`. */
  isCurrent(end: number, generation: number): boolean {
    return this.openAt[end] === 1 && this.generation[end >> 1] === generation;
  }

  isOpen(end: number): boolean {
    return this.openAt[end] === 1;
  }

  peerOf(end: number): number {
    return this.peerAt[end] as number;
  }

  linkOf(end: number): LinkId {
    return this.linkAt[end] as LinkId;
  }

  /** The end of `peer`'s link, or -1. */
  endOf(peer: number, link: LinkId): number {
    return (this.endOfLink[peer] as number[])[link] ?? -1;
  }

  /** Closes one end; once both are closed the connection may be reused. */
  close(end: number): void {
    if (this.openAt[end] === 0) return;
    this.openAt[end] = 0;
    const link = this.linkAt[end] as number;
    const ends = this.endOfLink[this.peerAt[end] as number] as number[];
    if (link >= 0 && ends[link] === end) ends[link] = -1;
    if (this.openAt[end ^ 1] === 0) this.release(end >> 1);
  }

  private release(connection: number): void {
    this.generation[connection] = (this.generation[connection] as number) + 1;
    this.free.push(connection);
  }

  private grow(): number {
    const connection = this.used++;
    if (connection === this.generation.length) {
      this.generation = doubled(this.generation);
      this.peerAt = doubled(this.peerAt);
      this.linkAt = doubled(this.linkAt);
      this.openAt = doubled(this.openAt);
      this.lastArrival = doubled(this.lastArrival);
    }
    return connection;
  }
}
