// The swarm members a segment request may go to: every member but those that refused the current
// segment, in swarm order. Built without copying the swarm: a request costs time in proportion to the
// refusals, not to the swarm, which grows with the clients (the sim runtime slowed per message with
// the number of clients when every request filtered the whole swarm).
import type { Rank } from './messages.ts';

/** What a peer selector chooses from; an array of ranks is one. */
export interface CandidateList extends Iterable<Rank> {
  readonly length: number;
  at(index: number): Rank | undefined;
}

export class SwarmCandidates implements CandidateList {
  /** Positions in `members` of the members that refused, ascending. */
  private readonly skipped: number[] = [];

  constructor(private readonly members: readonly Rank[]) {}

  get length(): number {
    return this.members.length - this.skipped.length;
  }

  /** The index-th member that has not refused; a negative index counts from the end, as Array.at's. */
  at(index: number): Rank | undefined {
    const from = index < 0 ? index + this.length : index;
    if (from < 0 || from >= this.length) return undefined;
    let position = from;
    for (const skipped of this.skipped) {
      if (skipped <= position) position++;
      else break;
    }
    return this.members[position];
  }

  /** The candidates in swarm order, in one pass over the swarm. */
  *[Symbol.iterator](): Iterator<Rank> {
    let next = 0;
    for (const [position, rank] of this.members.entries()) {
      if (this.skipped[next] === position) next++;
      else yield rank;
    }
  }

  /** Leaves out a member that refused; a rank not in the swarm (or left out already) changes nothing. */
  skip(rank: Rank): void {
    // One native scan of the swarm per refusal: far cheaper than a filter with a callback per request.
    const position = this.members.indexOf(rank);
    if (position < 0) return;
    let at = 0;
    while (at < this.skipped.length && (this.skipped[at] as number) < position) at++;
    if (this.skipped[at] !== position) this.skipped.splice(at, 0, position);
  }

  /** Every member is a candidate again (a segment arrived: refusals were for the last one). */
  clear(): void {
    this.skipped.length = 0;
  }
}
