// The flow-level bandwidth model: every active transfer crosses its uploader's upload capacity and its
// downloader's download capacity, and the transfers share them max-min fairly (max-min.ts): capacity a
// transfer limited at its other end cannot use goes to the others. A start or an end re-times only the
// transfers whose rates it moved. Each uploader has one scheduled event, for the first of its transfers
// to end: a change that re-times all of an uploader's transfers moves one event, not one per transfer.

import { doubled } from '../../util/arrays.ts';
import { MaxMinRates } from './max-min.ts';

// A transfer's fields lie side by side in one record of 8 numbers (one cache line): re-timing the
// transfers a change reached reads and writes several fields of each, scattered over memory.
const FROM = 0;
const TO = 1;
const PIECE = 2;
/** Bytes left at `UPDATED_AT`, and when the transfer ends at its current rate. */
const REMAINING = 3;
const UPDATED_AT = 4;
const ENDS_AT = 5;
const SIZE = 6;
/** Bytes of the transfer already reported to its two ends. */
const REPORTED = 7;
const RECORD = 8;

export interface FlowListener {
  /**
   * The first end among `uploader`'s transfers moved to `endS`: schedule it. Older predictions carry an
   * older version; at `endS`, `firstEnding(uploader)` is the transfer that ends.
   */
  reschedule(uploader: number, version: number, endS: number): void;
}

export class FlowNetwork {
  /** The rates, over capacities 2 p (p's upload) and 2 p + 1 (p's download). */
  private readonly rates: MaxMinRates;
  /** Uploaders whose first end may have moved in the change being settled, and a mark per peer. */
  private readonly toSchedule: number[] = [];
  private readonly scheduleMark: Uint8Array;
  private readonly retimeAt = (flow: number, oldRate: number): void => this.retime(flow, oldRate);
  private nowS = 0;
  private flows = new Float64Array(256 * RECORD);
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
    return this.flows[flow * RECORD + FROM] as number;
  }

  downloader(flow: number): number {
    return this.flows[flow * RECORD + TO] as number;
  }

  pieceOf(flow: number): number {
    return this.flows[flow * RECORD + PIECE] as number;
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
    const flows = this.flows;
    for (const flow of this.rates.across(2 * uploader)) {
      const end = flows[flow * RECORD + ENDS_AT] as number;
      if (end < firstEnd) {
        first = flow;
        firstEnd = end;
      }
    }
    return first;
  }

  start(from: number, to: number, piece: number, bytes: number, nowS: number): number {
    const flow = this.allocate();
    const flows = this.flows;
    const at = flow * RECORD;
    flows[at + FROM] = from;
    flows[at + TO] = to;
    flows[at + PIECE] = piece;
    flows[at + REMAINING] = bytes;
    flows[at + SIZE] = bytes;
    flows[at + REPORTED] = 0;
    flows[at + UPDATED_AT] = nowS;
    flows[at + ENDS_AT] = Number.POSITIVE_INFINITY;
    this.rates.add(flow, 2 * from, 2 * to + 1);
    this.settle(from, nowS);
    return flow;
  }

  /** Ends a transfer (finished, or cut because a peer left) and re-times the others at its ends. */
  end(flow: number, nowS: number): void {
    const at = flow * RECORD;
    const from = this.flows[at + FROM] as number;
    this.totalRate -= this.rates.rate(flow);
    // A running sum drifts; with nothing under way it is exactly zero.
    if (this.active === 1) this.totalRate = 0;
    this.rates.remove(flow);
    this.flows[at + ENDS_AT] = Number.POSITIVE_INFINITY;
    this.settle(from, nowS);
    this.free.push(flow);
  }

  /** The current rate of a transfer, bytes per second. */
  rateOf(flow: number): number {
    return this.rates.rate(flow);
  }

  /** The transfer from `from` to `to` under way, or -1 (a connection carries one at a time). */
  between(from: number, to: number): number {
    for (const flow of this.rates.across(2 * from)) if (this.flows[flow * RECORD + TO] === to) return flow;
    return -1;
  }

  /** The transfers `peer` is sending (do not change the list while reading it). */
  uploadsOf(peer: number): readonly number[] {
    return this.rates.across(2 * peer);
  }

  /** The transfers `peer` is receiving (do not change the list while reading it). */
  downloadsOf(peer: number): readonly number[] {
    return this.rates.across(2 * peer + 1);
  }

  /**
   * Whole bytes of `flow` moved by `nowS` and not reported yet: the caller reports them to both ends at
   * once, so that what one sent and the other received always agree.
   */
  takeProgress(flow: number, nowS: number): number {
    const flows = this.flows;
    const at = flow * RECORD;
    const elapsed = nowS - (flows[at + UPDATED_AT] as number);
    const left = Math.max(0, (flows[at + REMAINING] as number) - this.rates.rate(flow) * elapsed);
    const moved = Math.floor((flows[at + SIZE] as number) - left);
    const news = Math.max(0, moved - (flows[at + REPORTED] as number));
    flows[at + REPORTED] = (flows[at + REPORTED] as number) + news;
    return news;
  }

  /** Every transfer touching `peer`, as uploader or downloader (to cut them when it leaves). */
  flowsOf(peer: number): number[] {
    return [...this.rates.across(2 * peer), ...this.rates.across(2 * peer + 1)];
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
    const flows = this.flows;
    const at = flow * RECORD;
    const left = Math.max(
      0,
      (flows[at + REMAINING] as number) - oldRate * (nowS - (flows[at + UPDATED_AT] as number)),
    );
    flows[at + REMAINING] = left;
    flows[at + UPDATED_AT] = nowS;
    this.totalRate += rate - oldRate;
    flows[at + ENDS_AT] = rate > 0 ? nowS + left / rate : Number.POSITIVE_INFINITY;
    this.mark(flows[at + FROM] as number);
  }

  /** Tells the listener when `uploader`'s first transfer now ends, if that moved. */
  private schedule(uploader: number): void {
    const first = this.firstEnding(uploader);
    const end = first < 0 ? Number.POSITIVE_INFINITY : (this.flows[first * RECORD + ENDS_AT] as number);
    if (end === this.scheduledEnd[uploader]) return;
    this.scheduledEnd[uploader] = end;
    const version = (this.version[uploader] as number) + 1;
    this.version[uploader] = version;
    if (Number.isFinite(end)) this.listener.reschedule(uploader, version, end);
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used * RECORD === this.flows.length) this.flows = doubled(this.flows);
    return this.used++;
  }
}
