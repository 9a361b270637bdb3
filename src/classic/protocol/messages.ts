// Every message of the classic protocol, one variant per kind, mirroring the seed's MPI tags.
// A rank's download side, upload side and (for rank 0) the tracker each receive their own kinds.

/** Rank 0 is the tracker; clients are ranks 1..N. */
export type Rank = number;
export const TRACKER: Rank = 0;

/** A file a client holds in full, with its segment hashes in order. */
export interface OwnedFile {
  readonly name: string;
  readonly hashes: readonly string[];
}

export type Message =
  /** client -> tracker, once at start: the files it holds (the seed's initial report). */
  | { readonly kind: 'owned-files'; readonly files: readonly OwnedFile[] }
  /** tracker -> client download side, once every client has reported: go. */
  | { readonly kind: 'start' }
  /**
   * download -> tracker: who is in this file's swarm? A refresh (every 10 segments) needs only the
   * members, not the hashes again: a file's hash list can be long.
   */
  | { readonly kind: 'swarm-request'; readonly file: string; readonly refresh: boolean }
  /** tracker -> download: the swarm's members, and the file's hashes unless this answers a refresh. */
  | {
      readonly kind: 'swarm';
      readonly file: string;
      readonly hashes: readonly string[] | null;
      readonly seeds: readonly Rank[];
      readonly peers: readonly Rank[];
    }
  /** download -> another client's upload side: do you hold this segment? */
  | { readonly kind: 'segment-request'; readonly file: string; readonly index: number }
  /** upload -> the requesting download side: yes (the segment is sent) or no. */
  | {
      readonly kind: 'segment-reply';
      readonly file: string;
      readonly index: number;
      readonly granted: boolean;
    }
  /** download -> tracker, every 10 segments of a file: I hold part of this file (makes it a peer). */
  | { readonly kind: 'update'; readonly file: string }
  /** download -> tracker: I hold all of this file (makes it a seed). */
  | { readonly kind: 'file-complete'; readonly file: string }
  /** download -> tracker: all my wanted files are complete. */
  | { readonly kind: 'all-done' }
  /** tracker -> every upload side, once every client is done: stop serving. */
  | { readonly kind: 'shutdown' }
  /** upload -> tracker: I have stopped; the tracker stops once every upload side has. */
  | { readonly kind: 'upload-closed' };

export type MessageKind = Message['kind'];
export type MessageOf<K extends MessageKind> = Extract<Message, { kind: K }>;

/** Which part of a rank handles a message: the seed's tags did this routing for MPI. */
export type Side = 'tracker' | 'download' | 'upload';

export function sideOf(msg: Message): Side {
  switch (msg.kind) {
    case 'owned-files':
    case 'swarm-request':
    case 'update':
    case 'file-complete':
    case 'all-done':
    case 'upload-closed':
      return 'tracker';
    case 'start':
    case 'swarm':
    case 'segment-reply':
      return 'download';
    case 'segment-request':
    case 'shutdown':
      return 'upload';
    default:
      return assertNever(msg);
  }
}

/** Where a state machine puts what it wants sent; the runtime delivers it. */
export interface Outbox {
  send(to: Rank, msg: Message): void;
}

/** A message that broke the protocol: a bug in a peer or a runtime, never bad user input. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export function assertNever(value: never): never {
  throw new ProtocolError(`unexpected message ${JSON.stringify(value)}`);
}
