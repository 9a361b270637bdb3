// A classic scenario: what every client rank owns and wants, as the seed's in<R>.txt files say.
import type { ClientInput } from '../protocol/client.ts';

export interface ClassicScenario {
  /** Client ranks 1..N, in rank order. */
  readonly clients: readonly ClientInput[];
}

/** How many segments the whole scenario asks to move (wanted files not already owned). */
export function segmentsToDownload(scenario: ClassicScenario): number {
  const sizes = new Map<string, number>();
  for (const client of scenario.clients)
    for (const file of client.owned) sizes.set(file.name, file.hashes.length);
  let total = 0;
  for (const client of scenario.clients) {
    const owned = new Set(client.owned.map((file) => file.name));
    for (const file of client.wanted) if (!owned.has(file)) total += sizes.get(file) ?? 0;
  }
  return total;
}
