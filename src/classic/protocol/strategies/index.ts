// The peer-selection strategies by name: what `--strategy` and scenario files refer to.
import { LeastLoadedPeerSelector } from './least-loaded.ts';
import type { PeerSelector } from './peer-selector.ts';
import { RandomPeerSelector } from './random.ts';

export type { PeerSelector } from './peer-selector.ts';

const peerSelectors = {
  random: () => new RandomPeerSelector(),
  'least-loaded': () => new LeastLoadedPeerSelector(),
} as const satisfies Record<string, () => PeerSelector>;

export type PeerStrategyName = keyof typeof peerSelectors;
export const PEER_STRATEGIES = Object.keys(peerSelectors) as PeerStrategyName[];

export function isPeerStrategy(name: string): name is PeerStrategyName {
  return Object.hasOwn(peerSelectors, name);
}

export function createPeerSelector(name: PeerStrategyName): PeerSelector {
  return peerSelectors[name]();
}
