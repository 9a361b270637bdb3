// The simulator's connections: which peer and which of its links sits at each end. Connection c has
// ends 2c (the dialler) and 2c + 1 (the dialled); a message sent from end e arrives at end e ^ 1. An end
// closes when its peer closes it or hears that the other end did; a connection is reused once both
// ends are closed, with a new generation, so that a message still under way to an old one is dropped.
// This table is the simulator's, not a peer's: peers know only their own link ids. An end's fields
// sit side by side in one array, as a have delivered to many peers reads one end after another.
// A have is broadcast to a peer's ends as one event: the table numbers first messages, broadcasts and
// closes in one sequence, so that a broadcast reaches exactly the ends that carry it over TCP: those
// whose first message went before it, and that were not closed before it (a closed end stays listed
// with its peer until both ends are closed, so that what it sent before closing still arrives). What a
// broadcast reads of each end (its sequence numbers, and the other end's peer, link and state) is kept
// again in a row per end in its peer's list, side by side, so that a have reaches 80 neighbours by
// reading one array in order instead of 80 ends' records scattered through the table.
import { doubled } from '../../util/arrays.ts';
import type { LinkId } from '../core/ids.ts';

const STRIDE = 8;
const PEER = 0;
const LINK = 1;
const OPEN = 2;
const GENERATION = 3;
/** Where the end is in its peer's list of ends. */
const SLOT = 5;
/** 1 once the other end's first message has come to this end. */
const FIRST_CAME = 6;

/** A row of a peer's list of ends: the end, then what a broadcast reads of it. */
export const FAN_ROW = 6;
export const FAN_END = 0;
/** When (in the sequence above) the end sent its first message: broadcasts after it reach it. */
export const FAN_FIRST_SENT = 1;
/** When (in the same sequence) the end was closed. */
export const FAN_CLOSED = 2;
/** The other end's peer, its link (-1 until attached), and 1 while it is open. */
export const FAN_TO_PEER = 3;
export const FAN_TO_LINK = 4;
export const FAN_TO_OPEN = 5;
const NOT_YET = 0x7fffffff;

const EMPTY = new Int32Array(0);

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
  /** Per peer: its ends (open, or closed while the other end is open), a row each, in no order. */
  private readonly fans: Int32Array[];
  private readonly fanCounts: Int32Array;
  /** A copy of one peer's rows (see `snapshot`). */
  private snapshotRows = new Int32Array(64 * FAN_ROW);

  constructor(peers: number) {
    this.endOfLink = Array.from({ length: peers }, () => []);
    this.fans = Array.from({ length: peers }, () => EMPTY);
    this.fanCounts = new Int32Array(peers);
  }

  /** A new connection between `dialler` and `dialled`; its ends get their links with `attach`. */
  open(dialler: number, dialled: number): number {
    const connection = this.free.pop() ?? this.grow();
    this.openEnd(2 * connection, dialler, dialled);
    this.openEnd(2 * connection + 1, dialled, dialler);
    return connection;
  }

  private openEnd(end: number, peer: number, other: number): void {
    const f = this.fields;
    const at = end * STRIDE;
    f[at + PEER] = peer;
    f[at + LINK] = -1;
    f[at + OPEN] = 1;
    f[at + FIRST_CAME] = 0;
    const slot = this.fanCounts[peer] as number;
    f[at + SLOT] = slot;
    let fan = this.fans[peer] as Int32Array;
    if ((slot + 1) * FAN_ROW > fan.length) {
      // A peer's list is made on its first end (most of a million peers may never open one), then doubled.
      fan = fan.length === 0 ? new Int32Array(8 * FAN_ROW) : doubled(fan);
      this.fans[peer] = fan;
    }
    const row = slot * FAN_ROW;
    fan[row + FAN_END] = end;
    fan[row + FAN_FIRST_SENT] = NOT_YET;
    fan[row + FAN_CLOSED] = NOT_YET;
    fan[row + FAN_TO_PEER] = other;
    fan[row + FAN_TO_LINK] = -1;
    fan[row + FAN_TO_OPEN] = 1;
    this.fanCounts[peer] = slot + 1;
    this.lastArrival[end] = 0;
  }

  /** Where end `end`'s row starts in its peer's list. */
  private rowOf(end: number): number {
    return (this.fields[end * STRIDE + SLOT] as number) * FAN_ROW;
  }

  private fanOf(end: number): Int32Array {
    return this.fans[this.fields[end * STRIDE + PEER] as number] as Int32Array;
  }

  attach(end: number, link: LinkId): void {
    this.fields[end * STRIDE + LINK] = link;
    (this.endOfLink[this.peerOf(end)] as number[])[link] = end;
    this.fanOf(end ^ 1)[this.rowOf(end ^ 1) + FAN_TO_LINK] = link;
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
   * Copies `peer`'s rows (FAN_ROW numbers each: its ends, open or closed while the other end is open)
   * into `rows`, and returns how many: closing ends while reading them may change the list itself.
   */
  snapshot(peer: number): number {
    const count = this.fanCounts[peer] as number;
    if (count * FAN_ROW > this.snapshotRows.length) this.snapshotRows = new Int32Array(2 * count * FAN_ROW);
    this.snapshotRows.set((this.fans[peer] as Int32Array).subarray(0, count * FAN_ROW));
    return count;
  }

  /** The rows of the last `snapshot`. */
  get rows(): Int32Array {
    return this.snapshotRows;
  }

  /** The end has sent its first message. */
  markFirstSent(end: number): void {
    this.fanOf(end)[this.rowOf(end) + FAN_FIRST_SENT] = ++this.sequence;
  }

  /** A number for a broadcast sent now, for `carries`. */
  broadcastNow(): number {
    return ++this.sequence;
  }

  /** Whether the broadcast numbered `sequence` goes out on a row's end: its first went before, its close after. */
  static carries(rows: Int32Array, row: number, sequence: number): boolean {
    return (rows[row + FAN_FIRST_SENT] as number) < sequence && (rows[row + FAN_CLOSED] as number) > sequence;
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
    this.fanOf(end)[this.rowOf(end) + FAN_CLOSED] = ++this.sequence;
    this.fanOf(end ^ 1)[this.rowOf(end ^ 1) + FAN_TO_OPEN] = 0;
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

  /** Takes a closed end out of its peer's list: the last row moves into its place. */
  private unlist(end: number): void {
    const f = this.fields;
    const peer = f[end * STRIDE + PEER] as number;
    const fan = this.fans[peer] as Int32Array;
    const last = (this.fanCounts[peer] as number) - 1;
    this.fanCounts[peer] = last;
    const slot = f[end * STRIDE + SLOT] as number;
    if (slot === last) return;
    fan.copyWithin(slot * FAN_ROW, last * FAN_ROW, (last + 1) * FAN_ROW);
    f[(fan[slot * FAN_ROW + FAN_END] as number) * STRIDE + SLOT] = slot;
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
