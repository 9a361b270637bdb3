// A test double for BtPeer's WireOut: it records every call with its arguments, in order, so that tests
// can assert exactly what a peer said.
import type { PeerId, WireOut } from '../../../src/bittorrent/core/wire.ts';

export type WireCall =
  | { readonly kind: 'announce'; readonly from: PeerId }
  | { readonly kind: 'connect'; readonly from: PeerId; readonly to: PeerId }
  | { readonly kind: 'disconnect'; readonly from: PeerId; readonly to: PeerId }
  | { readonly kind: 'interested'; readonly from: PeerId; readonly to: PeerId; readonly interested: boolean }
  | { readonly kind: 'choke'; readonly from: PeerId; readonly to: PeerId; readonly choked: boolean }
  | { readonly kind: 'request'; readonly from: PeerId; readonly to: PeerId; readonly piece: number }
  | { readonly kind: 'cancel'; readonly from: PeerId; readonly to: PeerId; readonly piece: number }
  | { readonly kind: 'have'; readonly from: PeerId; readonly piece: number }
  | { readonly kind: 'transmit'; readonly from: PeerId; readonly to: PeerId; readonly piece: number }
  | { readonly kind: 'abortTransmit'; readonly from: PeerId; readonly to: PeerId }
  | { readonly kind: 'reject'; readonly from: PeerId; readonly to: PeerId; readonly piece: number }
  | { readonly kind: 'completed'; readonly from: PeerId };

export type WireKind = WireCall['kind'];
export type CallOf<K extends WireKind> = Extract<WireCall, { kind: K }>;

export class RecordingWire implements WireOut {
  readonly calls: WireCall[] = [];

  announce(from: PeerId): void {
    this.calls.push({ kind: 'announce', from });
  }

  connect(from: PeerId, to: PeerId): void {
    this.calls.push({ kind: 'connect', from, to });
  }

  disconnect(from: PeerId, to: PeerId): void {
    this.calls.push({ kind: 'disconnect', from, to });
  }

  interested(from: PeerId, to: PeerId, interested: boolean): void {
    this.calls.push({ kind: 'interested', from, to, interested });
  }

  choke(from: PeerId, to: PeerId, choked: boolean): void {
    this.calls.push({ kind: 'choke', from, to, choked });
  }

  request(from: PeerId, to: PeerId, piece: number): void {
    this.calls.push({ kind: 'request', from, to, piece });
  }

  cancel(from: PeerId, to: PeerId, piece: number): void {
    this.calls.push({ kind: 'cancel', from, to, piece });
  }

  have(from: PeerId, piece: number): void {
    this.calls.push({ kind: 'have', from, piece });
  }

  transmit(from: PeerId, to: PeerId, piece: number): void {
    this.calls.push({ kind: 'transmit', from, to, piece });
  }

  abortTransmit(from: PeerId, to: PeerId): void {
    this.calls.push({ kind: 'abortTransmit', from, to });
  }

  reject(from: PeerId, to: PeerId, piece: number): void {
    this.calls.push({ kind: 'reject', from, to, piece });
  }

  completed(from: PeerId): void {
    this.calls.push({ kind: 'completed', from });
  }

  /** Everything recorded since the last take, emptying the record. */
  take(): WireCall[] {
    return this.calls.splice(0);
  }

  /** The recorded calls of one kind (the record is kept). */
  of<K extends WireKind>(kind: K): CallOf<K>[] {
    return this.calls.filter((call): call is CallOf<K> => call.kind === kind);
  }

  /** The recorded calls of one kind, emptying the whole record. */
  takeOf<K extends WireKind>(kind: K): CallOf<K>[] {
    return this.take().filter((call): call is CallOf<K> => call.kind === kind);
  }
}
