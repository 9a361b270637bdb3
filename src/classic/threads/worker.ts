// One rank in its own thread: the tracker, or a client whose download and upload sides share the
// thread's event loop. Neither side ever waits on the other: each message is handled to the end at once.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { appendAll } from '../../util/arrays.ts';
import { Client } from '../protocol/client.ts';
import type { DownloadOutbox } from '../protocol/download.ts';
import { type Message, type Rank, TRACKER } from '../protocol/messages.ts';
import { Tracker } from '../protocol/tracker.ts';
import {
  type Batch,
  monotonicMs,
  type PortIntroduction,
  type WorkerInit,
  type WorkerReport,
} from './port-messages.ts';

if (parentPort === null) throw new Error('threads/worker.ts runs only as a worker thread');
const main: MessagePort = parentPort;
const init = workerData as WorkerInit;
const self: Rank = init.role === 'tracker' ? TRACKER : init.input.rank;
const report = (message: WorkerReport) => main.postMessage(message);

/** Ports to the ranks this one has talked with, and messages waiting for a port still on its way. */
const ports = new Map<Rank, MessagePort>();
const waiting = new Map<Rank, Message[]>();
/** What the handler being run wants sent, per destination, posted together when it returns. */
const outgoing = new Map<Rank, Message[]>();

const out: DownloadOutbox = {
  send(to, msg) {
    const batch = outgoing.get(to);
    if (batch === undefined) outgoing.set(to, [msg]);
    else batch.push(msg);
  },
  completed: (file, hashes) => report({ type: 'completed', file, hashes, atMs: monotonicMs() }),
};

function flush(): void {
  for (const [to, batch] of outgoing) {
    Atomics.add(init.sent, self, batch.length);
    const port = ports.get(to);
    if (port !== undefined) {
      port.postMessage(batch);
      continue;
    }
    const queued = waiting.get(to);
    if (queued === undefined) {
      waiting.set(to, [...batch]);
      report({ type: 'connect', to });
    } else {
      appendAll(queued, batch);
    }
  }
  outgoing.clear();
}

function attach(peer: Rank, port: MessagePort, handle: (from: Rank, msg: Message) => void): void {
  ports.set(peer, port);
  port.on('message', (batch: Batch) => {
    for (const msg of batch) handle(peer, msg);
    flush();
  });
  const queued = waiting.get(peer);
  if (queued !== undefined) {
    waiting.delete(peer);
    port.postMessage(queued);
  }
}

function run(handle: (from: Rank, msg: Message) => void): void {
  main.on('message', (intro: PortIntroduction) => attach(intro.peer, intro.port, handle));
}

if (init.role === 'tracker') {
  const tracker = new Tracker(init.clientCount);
  tracker.begin();
  if (tracker.stopped) report({ type: 'tracker-stopped', atMs: monotonicMs() });
  const handle = (from: Rank, msg: Message) => {
    tracker.handle(from, msg, out);
    if (tracker.stopped) report({ type: 'tracker-stopped', atMs: monotonicMs() });
  };
  for (const [i, port] of init.clientPorts.entries()) attach(i + 1, port, handle);
  run(handle);
} else {
  const client = new Client(init.input, init);
  const handle = (from: Rank, msg: Message) => {
    const wasDone = client.download.done;
    client.handle(from, msg, out);
    if (msg.kind === 'segment-reply' && msg.granted) Atomics.add(init.progress, self, 1);
    if (!wasDone && client.download.done) report({ type: 'download-done', atMs: monotonicMs() });
    if (msg.kind === 'shutdown') report({ type: 'upload-closed', stats: client.stats, atMs: monotonicMs() });
  };
  attach(TRACKER, init.trackerPort, handle);
  run(handle);
  client.announce(out);
  flush();
}
