// The `sim` runtime: every rank in one thread, on a virtual clock. Each message is delivered after a
// random delay drawn from the run's seed, so different seeds explore different interleavings, and the
// same seed replays the same one exactly. Messages between two ranks keep their order, as MPI's do.

import { MinHeap } from '../../util/heap.ts';
import { Rng } from '../../util/rng.ts';
import type { ClassicScenario } from '../input/scenario.ts';
import { Client } from '../protocol/client.ts';
import type { DownloadOutbox } from '../protocol/download.ts';
import { type Message, type Rank, TRACKER } from '../protocol/messages.ts';
import { Tracker } from '../protocol/tracker.ts';
import {
  type ClientFinish,
  type CompletedFile,
  type Delivery,
  type RunOptions,
  type RunResult,
  StuckRunError,
  sortOutputs,
} from '../runtime/types.ts';

export interface SimOptions extends RunOptions {
  /** One-way delay of every message: a fixed part plus a uniform random part, in virtual seconds. */
  readonly latencyS?: number;
  readonly jitterS?: number;
  /** Sees every delivered message, in order (for tests and traces). */
  readonly observe?: (delivery: Delivery) => void;
  /** A run that needs more deliveries than this is reported as stuck. */
  readonly maxDeliveries?: number;
}

interface Pending {
  readonly from: Rank;
  readonly to: Rank;
  readonly msg: Message;
}

/** The network's random stream is separate from every client's. */
const NETWORK_STREAM = 0x7fff_fff0;

export function runSim(scenario: ClassicScenario, options: SimOptions): RunResult {
  const started = performance.now();
  const clientCount = scenario.clients.length;
  const latencyS = options.latencyS ?? 0.001;
  const jitterS = options.jitterS ?? 0.001;
  const networkRng = new Rng(options.seed, NETWORK_STREAM);
  const queue = new MinHeap<Pending>();
  const lastArrival = new Map<number, number>();
  const outputs: CompletedFile[] = [];
  const downloadDoneAt = new Float64Array(clientCount + 1).fill(Number.NaN);
  const uploadClosedAt = new Float64Array(clientCount + 1).fill(Number.NaN);
  let now = 0;
  let trackerStoppedAt = Number.NaN;
  let messages = 0;
  let segments = 0;

  const send = (from: Rank, to: Rank, msg: Message) => {
    const key = from * (clientCount + 1) + to;
    const arrival = Math.max(now + latencyS + networkRng.next() * jitterS, lastArrival.get(key) ?? 0);
    lastArrival.set(key, arrival);
    queue.push(arrival, { from, to, msg });
    messages++;
  };
  const outboxOf = (rank: Rank): DownloadOutbox => ({
    send: (to, msg) => send(rank, to, msg),
    completed: (file, hashes) => outputs.push({ rank, file, hashes, at: now }),
  });

  const tracker = new Tracker(clientCount);
  const trackerOut = outboxOf(TRACKER);
  const clients = scenario.clients.map((input) => new Client(input, options));
  const clientOuts = clients.map((client) => outboxOf(client.rank));
  tracker.begin();
  if (tracker.stopped) trackerStoppedAt = now;
  for (const [i, client] of clients.entries()) client.announce(clientOuts[i] as DownloadOutbox);

  const maxDeliveries = options.maxDeliveries ?? Number.MAX_SAFE_INTEGER;
  let deliveries = 0;
  while (queue.size > 0) {
    if (++deliveries > maxDeliveries)
      throw new StuckRunError(`seed ${options.seed}: more than ${maxDeliveries} deliveries`);
    now = queue.peekKey() as number;
    const { from, to, msg } = queue.pop() as Pending;
    // A pair's last arrival matters only while it is still ahead: once reached, every later send
    // arrives after it anyway. Forgetting it keeps the map to the pairs with messages in flight, not
    // every pair that ever talked (millions with thousands of clients: the cost per message grew).
    const key = from * (clientCount + 1) + to;
    if (lastArrival.get(key) === now) lastArrival.delete(key);
    options.observe?.({ at: now, from, to, msg });
    if (to === TRACKER) {
      tracker.handle(from, msg, trackerOut);
      if (tracker.stopped) trackerStoppedAt = now;
      continue;
    }
    const client = clients[to - 1] as Client;
    const wasDone = client.download.done;
    client.handle(from, msg, clientOuts[to - 1] as DownloadOutbox);
    if (msg.kind === 'segment-reply' && msg.granted) options.onProgress?.(++segments);
    if (!wasDone && client.download.done) downloadDoneAt[to] = now;
    if (msg.kind === 'shutdown') uploadClosedAt[to] = now;
  }

  if (!tracker.stopped) {
    const waiting = clients.filter((client) => !client.finished).map((client) => client.rank);
    throw new StuckRunError(
      `seed ${options.seed}: no message left to deliver, but the tracker is ${tracker.phase}; ` +
        `clients not finished: ${waiting.join(', ') || 'none'}`,
    );
  }
  const finishes: ClientFinish[] = clients.map((client) => ({
    rank: client.rank,
    downloadDoneAt: downloadDoneAt[client.rank] as number,
    uploadClosedAt: uploadClosedAt[client.rank] as number,
  }));
  return {
    runtime: 'sim',
    seed: options.seed,
    strategy: options.strategy,
    clock: 'virtual-s',
    clients: clients.map((client) => client.stats),
    outputs: sortOutputs(outputs, (rank) => scenario.clients[rank - 1]?.wanted ?? []),
    messages,
    wallTimeMs: performance.now() - started,
    trackerStoppedAt,
    finishes,
  };
}
