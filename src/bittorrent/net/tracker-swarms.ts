// What an HTTP tracker remembers: for each torrent, the peers that announced lately. Time comes in as
// an argument (seconds, any origin), so forgetting is tested without waiting. Memory is bounded: so many
// torrents, so many peers a torrent and in all; past a bound a new peer is answered but not remembered.
import { Rng } from '../../util/rng.ts';

export interface TrackerLimits {
  /** How often a peer should announce. */
  readonly intervalS: number;
  /** How often at most it may. */
  readonly minIntervalS: number;
  /** A peer not heard of for this long is forgotten. */
  readonly peerTimeoutS: number;
  readonly maxTorrents: number;
  readonly maxPeersPerTorrent: number;
  readonly maxPeers: number;
  /** Peers an answer gives when the request does not say (numwant). */
  readonly defaultNumwant: number;
  /** Peers an answer gives at most. */
  readonly maxNumwant: number;
  /** Info-hashes one scrape may ask for. */
  readonly maxScrapeHashes: number;
}

export const DEFAULT_LIMITS: TrackerLimits = {
  intervalS: 300,
  minIntervalS: 30,
  peerTimeoutS: 2 * 300 + 60,
  maxTorrents: 10_000,
  maxPeersPerTorrent: 10_000,
  maxPeers: 200_000,
  defaultNumwant: 50,
  maxNumwant: 200,
  maxScrapeHashes: 64,
};

export interface TrackedPeer {
  /** Where the tracker heard it from: an IPv4 (dotted) or IPv6 address. */
  readonly ip: string;
  readonly port: number;
  readonly peerId: Uint8Array;
}

interface Entry extends TrackedPeer {
  readonly key: string;
  seed: boolean;
  lastSeenS: number;
}

export interface Announce {
  /** Info-hash and peer id as one character per byte. */
  readonly infoHash: string;
  readonly peer: TrackedPeer;
  readonly left: number;
  readonly event: 'started' | 'completed' | 'stopped' | undefined;
  readonly numwant: number | undefined;
}

export interface SwarmCounts {
  /** Seeds. */
  readonly complete: number;
  /** Leechers. */
  readonly incomplete: number;
  /** Completed downloads seen (`event=completed`). */
  readonly downloaded: number;
}

export interface AnnounceAnswer extends SwarmCounts {
  readonly peers: readonly TrackedPeer[];
}

class Swarm {
  /** Dense, so that a random sample costs O(sample) and leaving O(1). */
  readonly members: Entry[] = [];
  readonly slot = new Map<string, number>();
  seeds = 0;
  downloaded = 0;

  add(entry: Entry): void {
    this.slot.set(entry.key, this.members.length);
    this.members.push(entry);
    if (entry.seed) this.seeds++;
  }

  remove(key: string): void {
    const at = this.slot.get(key);
    if (at === undefined) return;
    const entry = this.members[at] as Entry;
    const last = this.members.pop() as Entry;
    this.slot.delete(key);
    if (last !== entry) {
      this.members[at] = last;
      this.slot.set(last.key, at);
    }
    if (entry.seed) this.seeds--;
  }

  counts(): SwarmCounts {
    return {
      complete: this.seeds,
      incomplete: this.members.length - this.seeds,
      downloaded: this.downloaded,
    };
  }
}

export class TrackerSwarms {
  private readonly swarms = new Map<string, Swarm>();
  private peers = 0;

  constructor(
    readonly limits: TrackerLimits = DEFAULT_LIMITS,
    private readonly rng: Rng = new Rng(0),
  ) {}

  /** Peers remembered, over every torrent. */
  get peerCount(): number {
    return this.peers;
  }

  get torrentCount(): number {
    return this.swarms.size;
  }

  announce(request: Announce, nowS: number): AnnounceAnswer {
    const key = `${request.peer.ip}|${bytesKey(request.peer.peerId)}`;
    let swarm = this.swarms.get(request.infoHash);
    if (request.event === 'stopped') {
      if (swarm !== undefined) this.leave(request.infoHash, swarm, key);
      return { ...(swarm?.counts() ?? { complete: 0, incomplete: 0, downloaded: 0 }), peers: [] };
    }
    if (swarm === undefined && this.swarms.size < this.limits.maxTorrents) {
      swarm = new Swarm();
      this.swarms.set(request.infoHash, swarm);
    }
    if (swarm === undefined) return { complete: 0, incomplete: 0, downloaded: 0, peers: [] };
    const seed = request.left === 0;
    this.remember(swarm, key, request, seed, nowS);
    const wanted = Math.min(request.numwant ?? this.limits.defaultNumwant, this.limits.maxNumwant);
    return { ...swarm.counts(), peers: this.sample(swarm, key, seed, wanted) };
  }

  scrape(infoHash: string): SwarmCounts {
    return this.swarms.get(infoHash)?.counts() ?? { complete: 0, incomplete: 0, downloaded: 0 };
  }

  /** Forgets the peers not heard of within the time-out, and the torrents left with none. */
  forget(nowS: number): void {
    for (const [infoHash, swarm] of this.swarms) {
      for (let i = swarm.members.length - 1; i >= 0; i--) {
        const entry = swarm.members[i] as Entry;
        if (nowS - entry.lastSeenS > this.limits.peerTimeoutS) this.leave(infoHash, swarm, entry.key);
      }
    }
  }

  private remember(swarm: Swarm, key: string, request: Announce, seed: boolean, nowS: number): void {
    const at = swarm.slot.get(key);
    const known = at === undefined ? undefined : swarm.members[at];
    if (request.event === 'completed' && (known === undefined || !known.seed)) swarm.downloaded++;
    if (known !== undefined && known.port === request.peer.port) {
      if (known.seed !== seed) swarm.seeds += seed ? 1 : -1;
      known.seed = seed;
      known.lastSeenS = nowS;
      return;
    }
    if (known !== undefined) {
      swarm.remove(key);
      this.peers--;
    }
    if (swarm.members.length >= this.limits.maxPeersPerTorrent || this.peers >= this.limits.maxPeers) return;
    swarm.add({ ...request.peer, key, seed, lastSeenS: nowS });
    this.peers++;
  }

  private leave(infoHash: string, swarm: Swarm, key: string): void {
    if (!swarm.slot.has(key)) return;
    swarm.remove(key);
    this.peers--;
    if (swarm.members.length === 0) this.swarms.delete(infoHash);
  }

  /** Up to `wanted` other members, chosen at random; a seed is given leechers only. */
  private sample(swarm: Swarm, key: string, seed: boolean, wanted: number): TrackedPeer[] {
    const pool = swarm.members.filter((entry) => entry.key !== key && !(seed && entry.seed));
    const count = Math.min(wanted, pool.length);
    for (let i = 0; i < count; i++) {
      const j = i + this.rng.int(pool.length - i);
      const picked = pool[j] as Entry;
      pool[j] = pool[i] as Entry;
      pool[i] = picked;
    }
    return pool.slice(0, count).map(({ ip, port, peerId }) => ({ ip, port, peerId }));
  }
}

function bytesKey(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}
