// The simulator's connections: which peer and which of its links sits at each end. Connection c has
// ends 2c (the dialler) and 2c + 1 (the dialled); a message sent from end e arrives at end e ^ 1. An end
// closes when its peer closes it or hears that the other end did; a connection is reused once both
// ends are closed, with a new generation, so that a message still under way to an old one is dropped.
// This table is the simulator's, not a peer's: peers know only their own link ids. An end's fields
// sit side by side in one array, as a have delivered to many peers reads one end after another.
// A have is broadcast to a peer's ends as one event: the table numbers first messages, broadcasts and
// closes in one sequence, so that a broadcast reaches exactly the ends that carry it over TCP: those
// whose first message went before it, and that were not closed before it (a closed end stays listed
// with its peer until both ends are closed, so that what it sent before closing still arrives).
import { doubled } from '../../util/arrays.ts';
import type { LinkId } from '../core/ids.ts';

const STRIDE = 8;
const PEER = 0;
const LINK = 1;
const OPEN = 2;
const GENERATION = 3;
/** When (in broadcast order) the end sent its first message: broadcasts after it reach it. */
const FIRST_SENT = 4;
/** Where the end is in its peer's list of ends. */
const SLOT = 5;
/** 1 once the other end's first message has come to this end. */
const FIRST_CAME = 6;
/** When (in the same order) the end was closed. */
const CLOSED = 7;
const NOT_YET = 0x7fffffff;

export class ConnectionTable {
  private fields = new Int32Array(512 * STRIDE);
  /** Per end: when the last message sent from it arrives (in order, with drawn latencies). */
  lastArrival = new Float64Array(512);
  private readonly free: number[] = [];
  private used = 0;
  /** Orders first messages, broadcasts and closes (see the top of this file). */
  private sequence = 0;
  /** Per peer, per link id: the end (-1: none). */
  private readonly endOfLink: number[][];
  /** Per peer: its open ends, in no order. */
  private readonly ends: number[][];

  constructor(peers: number) {
    this.endOfLink = Array.from({ length: peers }, () => []);
    this.ends = Array.from({ length: peers }, () => []);
  }

  /** A new connection between `dialler` and `dialled`; its ends get their links with `attach`. */
  open(dialler: number, dialled: number): number {
    const connection = this.free.pop() ?? this.grow();
    this.openEnd(2 * connection, dialler);
    this.openEnd(2 * connection + 1, dialled);
    return connection;
  }

  private openEnd(end: number, peer: number): void {
    const f = this.fields;
    const at = end * STRIDE;
    f[at + PEER] = peer;
    f[at + LINK] = -1;
    f[at + OPEN] = 1;
    f[at + FIRST_SENT] = NOT_YET;
    f[at + FIRST_CAME] = 0;
    f[at + CLOSED] = NOT_YET;
    const ends = this.ends[peer] as number[];
    f[at + SLOT] = ends.length;
    ends.push(end);
    this.lastArrival[end] = 0;
  }

  attach(end: number, link: LinkId): void {
    this.fields[end * STRIDE + LINK] = link;
    (this.endOfLink[this.peerOf(end)] as number[])[link] = end;
  }

  generationOf(end: number): number {
    return this.fields[end * STRIDE + GENERATION] as number;
  }

  /** The end, if it is open and of the connection's generation `generation`. */
  isCurrent(end: number, generation: number): boolean {
    const at = end * STRIDE;
    return this.fields[at + OPEN] === 1 && this.fields[at + GENERATION] === generation;
  }

  isOpen(end: number): boolean {
    return this.fields[end * STRIDE + OPEN] === 1;
  }

  peerOf(end: number): number {
    return this.fields[end * STRIDE + PEER] as number;
  }

  linkOf(end: number): LinkId {
    return this.fields[end * STRIDE + LINK] as LinkId;
  }

  /** The end of `peer`'s link, or -1. */
  endOf(peer: number, link: LinkId): number {
    return (this.endOfLink[peer] as number[])[link] ?? -1;
  }

  /**
   * `peer`'s ends, open or closed while the other end is still open (do not change the list while
   * reading it).
   */
  endsOf(peer: number): readonly number[] {
    return this.ends[peer] as number[];
  }

  /** The end has sent its first message. */
  markFirstSent(end: number): void {
    this.fields[end * STRIDE + FIRST_SENT] = ++this.sequence;
  }

  /** A number for a broadcast sent now, for `carries`. */
  broadcastNow(): number {
    return ++this.sequence;
  }

  /** Whether the broadcast numbered `sequence` goes out on this end: its first went before, its close after. */
  carries(end: number, sequence: number): boolean {
    const at = end * STRIDE;
    return (
      (this.fields[at + FIRST_SENT] as number) < sequence && (this.fields[at + CLOSED] as number) > sequence
    );
  }

  /** The other end's first message has come to this end. */
  markFirstCame(end: number): void {
    this.fields[end * STRIDE + FIRST_CAME] = 1;
  }

  firstCame(end: number): boolean {
    return this.fields[end * STRIDE + FIRST_CAME] === 1;
  }

  /** Closes one end; once both are closed the connection may be reused. */
  close(end: number): void {
    const f = this.fields;
    const at = end * STRIDE;
    if (f[at + OPEN] === 0) return;
    f[at + OPEN] = 0;
    f[at + CLOSED] = ++this.sequence;
    const peer = f[at + PEER] as number;
    const link = f[at + LINK] as number;
    const byLink = this.endOfLink[peer] as number[];
    if (link >= 0 && byLink[link] === end) byLink[link] = -1;
    if (f[(end ^ 1) * STRIDE + OPEN] === 0) this.release(end >> 1);
  }

  private release(connection: number): void {
    for (const end of [2 * connection, 2 * connection + 1]) {
      this.unlist(end);
      const at = end * STRIDE + GENERATION;
      this.fields[at] = (this.fields[at] as number) + 1;
    }
    this.free.push(connection);
  }

  /** Takes a closed end out of its peer's list. */
  private unlist(end: number): void {
    const f = this.fields;
    const ends = this.ends[f[end * STRIDE + PEER] as number] as number[];
    const last = ends.pop() as number;
    if (last !== end) {
      const slot = f[end * STRIDE + SLOT] as number;
      ends[slot] = last;
      f[last * STRIDE + SLOT] = slot;
    }
  }

  private grow(): number {
    const connection = this.used++;
    if (2 * connection + 1 >= this.lastArrival.length) {
      this.fields = doubled(this.fields);
      this.lastArrival = doubled(this.lastArrival);
    }
    return connection;
  }
}
