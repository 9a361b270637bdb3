// The flow-level bandwidth model: every active transfer crosses its uploader's upload capacity and its
// downloader's download capacity, and the transfers share them max-min fairly (max-min.ts): capacity a
// transfer limited at its other end cannot use goes to the others. A start or an end re-times only the
// transfers whose rates it moved. Each uploader has one scheduled event, for the first of its transfers
// to end: a change that re-times all of an uploader's transfers moves one event, not one per transfer.

import { doubled } from '../../util/arrays.ts';
import { MaxMinRates } from './max-min.ts';

export interface FlowListener {
  /**
   * The first end among `uploader`'s transfers moved to `endS`: schedule it. Older predictions carry an
   * older version; at `endS`, `firstEnding(uploader)` is the transfer that ends.
   */
  reschedule(uploader: number, version: number, endS: number): void;
}

export class FlowNetwork {
  private readonly uploading: number[][];
  private readonly downloading: number[][];
  /** The rates, over capacities 2 p (p's upload) and 2 p + 1 (p's download). */
  private readonly rates: MaxMinRates;
  /** Uploaders whose first end may have moved in the change being settled, and a mark per peer. */
  private readonly toSchedule: number[] = [];
  private readonly scheduleMark: Uint8Array;
  private readonly retimeAt = (flow: number, oldRate: number): void => this.retime(flow, oldRate);
  private nowS = 0;
  private from = new Int32Array(256);
  private to = new Int32Array(256);
  private piece = new Int32Array(256);
  private remaining = new Float64Array(256);
  private updatedAt = new Float64Array(256);
  private endsAt = new Float64Array(256);
  private size = new Float64Array(256);
  /** Bytes of each transfer already reported to its two ends. */
  private reported = new Float64Array(256);
  /** Per uploader: the first end among its transfers as last scheduled, and that schedule's version. */
  private readonly scheduledEnd: Float64Array;
  private readonly version: Int32Array;
  private readonly free: number[] = [];
  private used = 0;
  /** Sum of the rates of every active transfer. */
  totalRate = 0;

  constructor(
    uploadBps: Float64Array,
    downloadBps: Float64Array,
    private readonly listener: FlowListener,
  ) {
    if (uploadBps.length !== downloadBps.length) {
      throw new RangeError('upload and download capacities must be given for the same peers');
    }
    this.uploading = Array.from({ length: uploadBps.length }, () => []);
    this.downloading = Array.from({ length: uploadBps.length }, () => []);
    const capacity = new Float64Array(2 * uploadBps.length);
    for (let peer = 0; peer < uploadBps.length; peer++) {
      capacity[2 * peer] = uploadBps[peer] as number;
      capacity[2 * peer + 1] = downloadBps[peer] as number;
    }
    this.rates = new MaxMinRates(capacity);
    this.scheduleMark = new Uint8Array(uploadBps.length);
    this.scheduledEnd = new Float64Array(uploadBps.length).fill(Number.POSITIVE_INFINITY);
    this.version = new Int32Array(uploadBps.length);
  }

  /** Transfers under way. */
  get active(): number {
    return this.used - this.free.length;
  }

  uploader(flow: number): number {
    return this.from[flow] as number;
  }

  downloader(flow: number): number {
    return this.to[flow] as number;
  }

  pieceOf(flow: number): number {
    return this.piece[flow] as number;
  }

  /**
   * The scheduled end of `uploader` is due: returns the transfer that ends, or -1 if `version` is not
   * the latest schedule (it was superseded). The caller ends the transfer, which schedules the next.
   */
  due(uploader: number, version: number): number {
    if (this.version[uploader] !== version) return -1;
    // This schedule is spent: a tie at the same instant must be scheduled again.
    this.scheduledEnd[uploader] = Number.POSITIVE_INFINITY;
    return this.firstEnding(uploader);
  }

  /** The transfer of `uploader` that ends first. */
  private firstEnding(uploader: number): number {
    let first = -1;
    let firstEnd = Number.POSITIVE_INFINITY;
    for (const flow of this.uploading[uploader] as number[]) {
      const end = this.endsAt[flow] as number;
      if (end < firstEnd) {
        first = flow;
        firstEnd = end;
      }
    }
    return first;
  }

  start(from: number, to: number, piece: number, bytes: number, nowS: number): number {
    const flow = this.allocate();
    this.from[flow] = from;
    this.to[flow] = to;
    this.piece[flow] = piece;
    this.remaining[flow] = bytes;
    this.size[flow] = bytes;
    this.reported[flow] = 0;
    this.updatedAt[flow] = nowS;
    this.endsAt[flow] = Number.POSITIVE_INFINITY;
    (this.uploading[from] as number[]).push(flow);
    (this.downloading[to] as number[]).push(flow);
    this.rates.add(flow, 2 * from, 2 * to + 1);
    this.settle(from, nowS);
    return flow;
  }

  /** Ends a transfer (finished, or cut because a peer left) and re-times the others at its ends. */
  end(flow: number, nowS: number): void {
    const from = this.from[flow] as number;
    const to = this.to[flow] as number;
    this.totalRate -= this.rates.rate(flow);
    // A running sum drifts; with nothing under way it is exactly zero.
    if (this.active === 1) this.totalRate = 0;
    remove(this.uploading[from] as number[], flow);
    remove(this.downloading[to] as number[], flow);
    this.rates.remove(flow);
    this.endsAt[flow] = Number.POSITIVE_INFINITY;
    this.settle(from, nowS);
    this.free.push(flow);
  }

  /** The current rate of a transfer, bytes per second. */
  rateOf(flow: number): number {
    return this.rates.rate(flow);
  }

  /** The transfer from `from` to `to` under way, or -1 (a connection carries one at a time). */
  between(from: number, to: number): number {
    for (const flow of this.uploading[from] as number[]) if (this.to[flow] === to) return flow;
    return -1;
  }

  /** The transfers `peer` is sending (do not change the list while reading it). */
  uploadsOf(peer: number): readonly number[] {
    return this.uploading[peer] as number[];
  }

  /** The transfers `peer` is receiving (do not change the list while reading it). */
  downloadsOf(peer: number): readonly number[] {
    return this.downloading[peer] as number[];
  }

  /**
   * Whole bytes of `flow` moved by `nowS` and not reported yet: the caller reports them to both ends at
   * once, so that what one sent and the other received always agree.
   */
  takeProgress(flow: number, nowS: number): number {
    const elapsed = nowS - (this.updatedAt[flow] as number);
    const left = Math.max(0, (this.remaining[flow] as number) - this.rates.rate(flow) * elapsed);
    const moved = Math.floor((this.size[flow] as number) - left);
    const news = Math.max(0, moved - (this.reported[flow] as number));
    this.reported[flow] = (this.reported[flow] as number) + news;
    return news;
  }

  /** Every transfer touching `peer`, as uploader or downloader (to cut them when it leaves). */
  flowsOf(peer: number): number[] {
    return [...(this.uploading[peer] as number[]), ...(this.downloading[peer] as number[])];
  }

  /** Re-solves the rates after a change at `uploader`, re-times what moved, and reschedules. */
  private settle(uploader: number, nowS: number): void {
    this.nowS = nowS;
    this.mark(uploader);
    this.rates.settle(this.retimeAt);
    for (const peer of this.toSchedule) {
      this.scheduleMark[peer] = 0;
      this.schedule(peer);
    }
    this.toSchedule.length = 0;
  }

  private mark(uploader: number): void {
    if (this.scheduleMark[uploader] === 1) return;
    this.scheduleMark[uploader] = 1;
    this.toSchedule.push(uploader);
  }

  /** A transfer's rate moved from `oldRate`: what it moved so far at that rate, and its new end. */
  private retime(flow: number, oldRate: number): void {
    const nowS = this.nowS;
    const rate = this.rates.rate(flow);
    const left = Math.max(
      0,
      (this.remaining[flow] as number) - oldRate * (nowS - (this.updatedAt[flow] as number)),
    );
    this.remaining[flow] = left;
    this.updatedAt[flow] = nowS;
    this.totalRate += rate - oldRate;
    this.endsAt[flow] = rate > 0 ? nowS + left / rate : Number.POSITIVE_INFINITY;
    this.mark(this.from[flow] as number);
  }

  /** Tells the listener when `uploader`'s first transfer now ends, if that moved. */
  private schedule(uploader: number): void {
    const first = this.firstEnding(uploader);
    const end = first < 0 ? Number.POSITIVE_INFINITY : (this.endsAt[first] as number);
    if (end === this.scheduledEnd[uploader]) return;
    this.scheduledEnd[uploader] = end;
    const version = (this.version[uploader] as number) + 1;
    this.version[uploader] = version;
    if (Number.isFinite(end)) this.listener.reschedule(uploader, version, end);
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.from.length) this.grow();
    return this.used++;
  }

  private grow(): void {
    this.from = doubled(this.from);
    this.to = doubled(this.to);
    this.piece = doubled(this.piece);
    this.remaining = doubled(this.remaining);
    this.updatedAt = doubled(this.updatedAt);
    this.endsAt = doubled(this.endsAt);
    this.size = doubled(this.size);
    this.reported = doubled(this.reported);
  }
}

function remove(list: number[], item: number): void {
  const at = list.indexOf(item);
  if (at >= 0) {
    list[at] = list[list.length - 1] as number;
    list.pop();
  }
}
