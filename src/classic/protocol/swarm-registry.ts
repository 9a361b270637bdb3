// The tracker's knowledge: for each file, its hashes and who is in its swarm (seeds hold it all,
// peers hold part). It never knows which segments a peer holds.

import { sameItems } from '../../util/arrays.ts';
import { type OwnedFile, ProtocolError, type Rank } from './messages.ts';

export interface Swarm {
  readonly hashes: readonly string[];
  readonly seeds: Set<Rank>;
  readonly peers: Set<Rank>;
}

export class SwarmRegistry {
  private readonly swarms = new Map<string, Swarm>();

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
    swarm.peers.delete(client);
    swarm.seeds.add(client);
  }

  /** A client holding part of the file joins as a peer (a seed stays a seed). */
  addPeer(client: Rank, file: string): void {
    const swarm = this.require(file, client);
    if (!swarm.seeds.has(client)) swarm.peers.add(client);
  }

  promoteToSeed(client: Rank, file: string): void {
    const swarm = this.require(file, client);
    swarm.peers.delete(client);
    swarm.seeds.add(client);
  }

  require(file: string, client: Rank): Swarm {
    const swarm = this.swarms.get(file);
    if (swarm === undefined) throw new ProtocolError(`client ${client} names ${file}, which has no swarm`);
    return swarm;
  }
}
