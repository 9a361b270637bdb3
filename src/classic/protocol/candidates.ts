// The swarm members a segment request may go to: the swarm's seeds then its peers, but the asking client
// and those that refused the current segment, in swarm order. Built without copying the swarm: the lists
// are the swarm message's own (shared by every client that got the same answer), and a request costs time
// in proportion to the refusals, not to the swarm, which grows with the clients (the sim runtime slowed
// per message with the number of clients when every request filtered or searched the whole swarm).
import type { Rank } from './messages.ts';

/** What a peer selector chooses from; an array of ranks is one. */
export interface CandidateList extends Iterable<Rank> {
  readonly length: number;
  at(index: number): Rank | undefined;
}

export class SwarmCandidates implements CandidateList {
  /** Positions in seeds-then-peers of the members left out (the asking client, the refusers), ascending. */
  private readonly skipped: number[] = [];
  /** Where the asking client is in seeds-then-peers (a seed, a peer, or both): never a candidate. */
  private readonly selfPositions: readonly number[];
  /** The position `at` resolved last: a refusal is almost always of the member just picked. */
  private lastPosition = -1;

  constructor(
    private readonly seeds: readonly Rank[],
    private readonly peers: readonly Rank[] = [],
    self?: Rank,
  ) {
    this.selfPositions = self === undefined ? [] : this.positionsOf(self);
    this.clear();
  }

  get length(): number {
    return this.seeds.length + this.peers.length - this.skipped.length;
  }

  /** The index-th member that is a candidate; a negative index counts from the end, as Array.at's. */
  at(index: number): Rank | undefined {
    const from = index < 0 ? index + this.length : index;
    if (from < 0 || from >= this.length) return undefined;
    let position = from;
    for (const skipped of this.skipped) {
      if (skipped <= position) position++;
      else break;
    }
    this.lastPosition = position;
    return this.memberAt(position);
  }

  /** The candidates in swarm order, in one pass over the swarm. */
  *[Symbol.iterator](): Iterator<Rank> {
    let next = 0;
    const size = this.seeds.length + this.peers.length;
    for (let position = 0; position < size; position++) {
      if (this.skipped[next] === position) next++;
      else yield this.memberAt(position) as Rank;
    }
  }

  /** Leaves out a member that refused; a rank not in the swarm (or left out already) changes nothing. */
  skip(rank: Rank): void {
    const position = this.memberAt(this.lastPosition) === rank ? this.lastPosition : this.positionOf(rank);
    if (position < 0) return;
    let at = 0;
    while (at < this.skipped.length && (this.skipped[at] as number) < position) at++;
    if (this.skipped[at] !== position) this.skipped.splice(at, 0, position);
  }

  /** Every member but the asking client is a candidate again (a segment arrived: refusals were for the last one). */
  clear(): void {
    this.skipped.length = 0;
    this.skipped.push(...this.selfPositions);
  }

  private memberAt(position: number): Rank | undefined {
    if (position < 0) return undefined;
    return position < this.seeds.length ? this.seeds[position] : this.peers[position - this.seeds.length];
  }

  /** One native scan of the swarm: only for a rank that was not the last one picked. */
  private positionOf(rank: Rank): number {
    const seed = this.seeds.indexOf(rank);
    if (seed >= 0) return seed;
    const peer = this.peers.indexOf(rank);
    return peer < 0 ? -1 : this.seeds.length + peer;
  }

  /** Every position of a rank, ascending: once per swarm message, as the swarm's own size. */
  private positionsOf(rank: Rank): number[] {
    const positions: number[] = [];
    for (let at = this.seeds.indexOf(rank); at >= 0; at = this.seeds.indexOf(rank, at + 1))
      positions.push(at);
    for (let at = this.peers.indexOf(rank); at >= 0; at = this.peers.indexOf(rank, at + 1))
      positions.push(this.seeds.length + at);
    return positions;
  }
}
