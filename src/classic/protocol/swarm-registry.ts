// The tracker's knowledge: for each file, its hashes and who is in its swarm (seeds hold it all,
// peers hold part). It never knows which segments a peer holds.

import { sameItems } from '../../util/arrays.ts';
import { type OwnedFile, ProtocolError, type Rank } from './messages.ts';

export interface Swarm {
  readonly hashes: readonly string[];
  readonly seeds: ReadonlySet<Rank>;
  readonly peers: ReadonlySet<Rank>;
}

/** A swarm's members as a swarm message lists them, in the order they joined. */
export interface SwarmList {
  readonly seeds: readonly Rank[];
  readonly peers: readonly Rank[];
}

interface TrackedSwarm extends Swarm {
  readonly seeds: Set<Rank>;
  readonly peers: Set<Rank>;
}

export class SwarmRegistry {
  private readonly swarms = new Map<string, TrackedSwarm>();
  /**
   * Each swarm's members, listed once for every request until they change: a swarm is asked for about
   * three times as often as it changes, and the clients that got the same answer share one list instead
   * of each holding a copy (thousands of copies of a swarm of thousands, with many clients).
   */
  private readonly listed = new Map<string, SwarmList>();

  get(file: string): Swarm | undefined {
    return this.swarms.get(file);
  }

  get files(): IterableIterator<string> {
    return this.swarms.keys();
  }

  addSeed(client: Rank, file: OwnedFile): void {
    const swarm = this.swarms.get(file.name);
    if (swarm === undefined) {
      this.swarms.set(file.name, { hashes: file.hashes, seeds: new Set([client]), peers: new Set() });
      return;
    }
    if (!sameItems(swarm.hashes, file.hashes)) {
      throw new ProtocolError(
        `client ${client} reports ${file.name} with hashes that differ from its swarm's`,
      );
    }
    this.makeSeed(file.name, swarm, client);
  }

  /** A client holding part of the file joins as a peer (a seed stays a seed). */
  addPeer(client: Rank, file: string): void {
    const swarm = this.require(file, client);
    if (swarm.seeds.has(client) || swarm.peers.has(client)) return;
    swarm.peers.add(client);
    this.listed.delete(file);
  }

  promoteToSeed(client: Rank, file: string): void {
    this.makeSeed(file, this.require(file, client), client);
  }

  /** The members of a file's swarm, as lists that must not be changed (they are shared). */
  list(file: string, client: Rank): SwarmList {
    let listed = this.listed.get(file);
    if (listed === undefined) {
      const swarm = this.require(file, client);
      listed = { seeds: [...swarm.seeds], peers: [...swarm.peers] };
      this.listed.set(file, listed);
    }
    return listed;
  }

  require(file: string, client: Rank): TrackedSwarm {
    const swarm = this.swarms.get(file);
    if (swarm === undefined) throw new ProtocolError(`client ${client} names ${file}, which has no swarm`);
    return swarm;
  }

  private makeSeed(file: string, swarm: TrackedSwarm, client: Rank): void {
    if (swarm.seeds.has(client)) return;
    swarm.peers.delete(client);
    swarm.seeds.add(client);
    this.listed.delete(file);
  }
}
