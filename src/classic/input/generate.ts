// Random classic scenarios, reproducible from a seed: for tests, benchmarks and `swarmlab gen`.

import { Rng } from '../../util/rng.ts';
import type { ClientInput } from '../protocol/client.ts';
import type { OwnedFile } from '../protocol/messages.ts';
import type { ClassicScenario } from './scenario.ts';

export interface GenerateOptions {
  readonly clients: number;
  readonly files: number;
  readonly maxSegments: number;
  readonly seed: number;
  /** Every file has at least this many segments (default 1). */
  readonly minSegments?: number;
  /** The most clients that own a file from the start (default 3). */
  readonly maxOwners?: number;
  /** The chance that a client wants a given file it does not own (default 0.5). */
  readonly wantProbability?: number;
  /** The chance that a client wants nothing at all (default 0.1). */
  readonly idleProbability?: number;
}

export function generateClassic(options: GenerateOptions): ClassicScenario {
  const rng = new Rng(options.seed);
  const minSegments = Math.min(options.minSegments ?? 1, options.maxSegments);
  const maxOwners = Math.max(1, Math.min(options.maxOwners ?? 3, options.clients));
  const files: OwnedFile[] = [];
  for (let f = 1; f <= options.files; f++) {
    const segments = rng.between(minSegments, options.maxSegments);
    files.push({ name: `file${f}`, hashes: Array.from({ length: segments }, () => randomHash(rng)) });
  }
  const owned: OwnedFile[][] = Array.from({ length: options.clients }, () => []);
  for (const file of files) {
    for (const owner of pickDistinct(rng, options.clients, rng.between(1, maxOwners))) {
      owned[owner]?.push(file);
    }
  }
  const clients = owned.map((ownedFiles, i): ClientInput => {
    const idle = rng.next() < (options.idleProbability ?? 0.1);
    const ownedNames = new Set(ownedFiles.map((file) => file.name));
    const wanted = idle
      ? []
      : files
          .filter((file) => !ownedNames.has(file.name) && rng.next() < (options.wantProbability ?? 0.5))
          .map((file) => file.name);
    return { rank: i + 1, owned: ownedFiles, wanted };
  });
  return { clients };
}

/** 32 lowercase hex characters, like the seed's hashes. */
function randomHash(rng: Rng): string {
  let hash = '';
  for (let i = 0; i < 4; i++) hash += rng.nextUint32().toString(16).padStart(8, '0');
  return hash;
}

/** `count` distinct integers from [0, n), in ascending order. */
function pickDistinct(rng: Rng, n: number, count: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, n)) chosen.add(rng.int(n));
  return [...chosen].sort((a, b) => a - b);
}
