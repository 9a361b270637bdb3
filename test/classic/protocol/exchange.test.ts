// The tracker and the clients together, over an in-memory network that keeps each link's order (as MPI
// and the runtimes do) but interleaves the links at random: the whole classic protocol, without I/O.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Client, type ClientInput } from '../../../src/classic/protocol/client.ts';
import type { DownloadOutbox } from '../../../src/classic/protocol/download.ts';
import { type Message, ProtocolError, type Rank, TRACKER } from '../../../src/classic/protocol/messages.ts';
import { PEER_STRATEGIES, type PeerStrategyName } from '../../../src/classic/protocol/strategies/index.ts';
import { Tracker } from '../../../src/classic/protocol/tracker.ts';
import { Rng } from '../../../src/util/rng.ts';
import { hashesOf } from './recording-outbox.ts';

interface Delivery {
  readonly from: Rank;
  readonly to: Rank;
  readonly msg: Message;
}

interface Outcome {
  readonly tracker: Tracker;
  readonly clients: readonly Client[];
  readonly completed: Map<Rank, { file: string; hashes: readonly string[] }[]>;
  readonly deliveries: readonly Delivery[];
}

function exchange(inputs: readonly ClientInput[], strategy: PeerStrategyName, seed: number): Outcome {
  const links = new Map<string, Delivery[]>();
  const deliveries: Delivery[] = [];
  const completed = new Map<Rank, { file: string; hashes: readonly string[] }[]>();
  const network = new Rng(seed, 999);
  const outboxOf = (rank: Rank): DownloadOutbox => ({
    send: (to, msg) => {
      const key = `${rank}>${to}`;
      const queue = links.get(key) ?? [];
      queue.push({ from: rank, to, msg });
      links.set(key, queue);
    },
    completed: (file, hashes) => {
      const list = completed.get(rank) ?? [];
      list.push({ file, hashes: [...hashes] });
      completed.set(rank, list);
    },
  });
  const tracker = new Tracker(inputs.length);
  const clients = inputs.map((input) => new Client(input, { seed, strategy }));
  const outboxes = new Map<Rank, DownloadOutbox>([[TRACKER, outboxOf(TRACKER)]]);
  for (const client of clients) outboxes.set(client.rank, outboxOf(client.rank));
  tracker.begin();
  for (const client of clients) client.announce(outboxes.get(client.rank) as DownloadOutbox);
  for (let steps = 0; ; steps++) {
    if (steps > 200_000) throw new Error('the exchange never settled');
    const busy = [...links.values()].filter((queue) => queue.length > 0);
    if (busy.length === 0) break;
    const delivery = network.pick(busy).shift() as Delivery;
    deliveries.push(delivery);
    const out = outboxes.get(delivery.to) as DownloadOutbox;
    if (delivery.to === TRACKER) tracker.handle(delivery.from, delivery.msg, out);
    else (clients[delivery.to - 1] as Client).handle(delivery.from, delivery.msg, out);
  }
  return { tracker, clients, completed, deliveries };
}

const FILES = ['f1', 'f2', 'f3', 'f4'];

/** Clients, files of 1..25 segments each owned by at least one client, and what each client wants. */
const scenarioArb = fc
  .record({
    clientCount: fc.integer({ min: 1, max: 5 }),
    sizes: fc.array(fc.integer({ min: 1, max: 25 }), { minLength: FILES.length, maxLength: FILES.length }),
  })
  .chain(({ clientCount, sizes }) => {
    const ranks = Array.from({ length: clientCount }, (_, i) => i + 1);
    return fc.record({
      sizes: fc.constant(sizes),
      owners: fc.tuple(...FILES.map(() => fc.subarray(ranks, { minLength: 1 }))),
      wants: fc.tuple(...ranks.map(() => fc.shuffledSubarray(FILES))),
    });
  })
  .map(({ sizes, owners, wants }) =>
    wants.map(
      (wanted, i): ClientInput => ({
        rank: i + 1,
        owned: FILES.flatMap((name, f) =>
          owners[f]?.includes(i + 1) ? [{ name, hashes: hashesOf(name, sizes[f] as number) }] : [],
        ),
        wanted,
      }),
    ),
  );

describe('the classic protocol end to end', () => {
  it('delivers every wanted file with its hashes in order, then shuts every client and the tracker down', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.constantFrom(...PEER_STRATEGIES),
        fc.integer(),
        (inputs, strategy, seed) => {
          const { tracker, clients, completed, deliveries } = exchange(inputs, strategy, seed);
          expect(tracker.stopped).toBe(true);
          for (const client of clients) expect(client.finished, `client ${client.rank}`).toBe(true);

          const hashesOfFile = new Map(inputs.flatMap((input) => input.owned.map((f) => [f.name, f.hashes])));
          for (const input of inputs) {
            expect(completed.get(input.rank) ?? []).toEqual(
              input.wanted.map((file) => ({ file, hashes: hashesOfFile.get(file) })),
            );
          }

          const stats = clients.map((client) => client.stats);
          const sum = (pick: (s: (typeof stats)[number]) => number) => stats.reduce((n, s) => n + pick(s), 0);
          // Every granted segment was served by someone, every refusal refused by someone.
          expect(sum((s) => s.downloaded)).toBe(sum((s) => s.served));
          expect(sum((s) => s.refusalsReceived)).toBe(sum((s) => s.refused));
          for (const [i, input] of inputs.entries()) {
            const s = stats[i] as (typeof stats)[number];
            const owned = new Set(input.owned.map((f) => f.name));
            const toFetch = input.wanted.filter((file) => !owned.has(file));
            const segments = toFetch.reduce((n, file) => n + (hashesOfFile.get(file)?.length ?? 0), 0);
            expect(s.downloaded).toBe(segments);
            expect(s.filesCompleted).toBe(input.wanted.length);
            expect([...s.downloadedFrom.values()].reduce((n, k) => n + k, 0)).toBe(segments);
            expect(s.downloadedFrom.get(input.rank)).toBeUndefined();
          }

          for (const { from, to, msg } of deliveries) {
            if (msg.kind === 'segment-request') expect(to).not.toBe(from);
            // The tracker is told about files, never about segments.
            if (to === TRACKER) expect(msg).not.toHaveProperty('index');
          }
          // Every link saw start before anything else from the tracker, and shutdown last.
          for (const client of clients) {
            const fromTracker = deliveries.filter((d) => d.from === TRACKER && d.to === client.rank);
            expect(fromTracker[0]?.msg.kind).toBe('start');
            expect(fromTracker.at(-1)?.msg.kind).toBe('shutdown');
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('replays the same deliveries from the same seed', () => {
    const inputs: ClientInput[] = [
      { rank: 1, owned: [{ name: 'f1', hashes: hashesOf('f1', 23) }], wanted: [] },
      { rank: 2, owned: [], wanted: ['f1'] },
      { rank: 3, owned: [], wanted: ['f1'] },
    ];
    for (const strategy of PEER_STRATEGIES) {
      const first = exchange(inputs, strategy, 77);
      const again = exchange(inputs, strategy, 77);
      expect(again.deliveries).toEqual(first.deliveries);
      expect(again.clients.map((c) => c.stats)).toEqual(first.clients.map((c) => c.stats));
    }
  });

  it('has a client refuse a message meant for the tracker', () => {
    const client = new Client({ rank: 1, owned: [], wanted: [] }, { seed: 1, strategy: 'random' });
    const out: DownloadOutbox = { send: () => {}, completed: () => {} };
    expect(() => client.handle(2, { kind: 'all-done' }, out)).toThrow(ProtocolError);
  });
});
