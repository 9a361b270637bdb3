// The `threads` runtime: a worker thread per rank (the tracker in its own), with real concurrency.
// Ranks exchange messages directly over one MessagePort per pair, so each sender's order is kept as
// MPI keeps it. The main thread introduces pairs, gathers outputs, times and progress, and stops a
// run that has not finished within its time limit.
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { ClassicScenario } from '../input/scenario.ts';
import type { ClientStats } from '../protocol/counters.ts';
import { type Rank, TRACKER } from '../protocol/messages.ts';
import {
  type ClientFinish,
  type CompletedFile,
  type RunOptions,
  type RunResult,
  StuckRunError,
  sortOutputs,
} from '../runtime/types.ts';
import { monotonicMs, type WorkerInit, type WorkerReport } from './port-messages.ts';
import { workerUrl } from './worker-entry.ts';

export interface ThreadsOptions extends RunOptions {
  /** Stop and fail a run that has not finished after this long (default 10 minutes). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 600_000;
const PROGRESS_EVERY_MS = 100;

export async function runThreads(scenario: ClassicScenario, options: ThreadsOptions): Promise<RunResult> {
  const url = await workerUrl();
  return new Promise((resolve, reject) => new ThreadsRun(scenario, options, resolve, reject).start(url));
}

/** Why a rank's thread did not start or stopped, in words a user can act on. */
function cannotStart(rank: Rank, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/EAGAIN|ERR_WORKER_INIT_FAILED|Resource temporarily unavailable/.test(message)) {
    return new ThreadStartError(
      `cannot start the thread of rank ${rank} (${message}): the system limits processes or threads ` +
        '(ulimit -u) or is short of memory; use fewer clients or --runtime sim',
    );
  }
  return new ThreadStartError(`rank ${rank}: ${message}`);
}

export class ThreadStartError extends Error {
  override readonly name = 'ThreadStartError';
}

class ThreadsRun {
  private readonly startedMs = monotonicMs();
  private readonly clientCount: number;
  private readonly workers: Worker[] = [];
  private readonly progress: Int32Array;
  private readonly sent: Int32Array;
  private readonly introduced = new Set<number>();
  private readonly outputs: CompletedFile[] = [];
  private readonly stats = new Map<Rank, ClientStats>();
  private readonly downloadDoneAt = new Map<Rank, number>();
  private readonly uploadClosedAt = new Map<Rank, number>();
  private trackerStoppedAt: number | undefined;
  private settled = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly scenario: ClassicScenario,
    private readonly options: ThreadsOptions,
    private readonly resolve: (result: RunResult) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.clientCount = scenario.clients.length;
    const slots = this.clientCount + 1;
    this.progress = new Int32Array(new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT));
    this.sent = new Int32Array(new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT));
  }

  start(url: URL): void {
    const shared = { progress: this.progress, sent: this.sent };
    const trackerChannels = this.scenario.clients.map(() => new MessageChannel());
    const clientPorts = trackerChannels.map((channel) => channel.port1);
    this.spawn(
      url,
      TRACKER,
      { role: 'tracker', clientCount: this.clientCount, clientPorts, ...shared },
      clientPorts,
    );
    for (const [i, input] of this.scenario.clients.entries()) {
      if (this.settled) return;
      const trackerPort = (trackerChannels[i] as MessageChannel).port2;
      const { seed, strategy } = this.options;
      this.spawn(url, input.rank, { role: 'client', input, seed, strategy, trackerPort, ...shared }, [
        trackerPort,
      ]);
    }
    if (this.settled) return;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.timers.push(setTimeout(() => this.fail(this.stuck(timeoutMs)), timeoutMs));
    if (this.options.onProgress !== undefined) {
      this.timers.push(setInterval(() => this.reportProgress(), PROGRESS_EVERY_MS));
    }
  }

  private spawn(url: URL, rank: Rank, init: WorkerInit, transfer: readonly MessagePort[]): void {
    // The worker is one plain JavaScript bundle: it needs none of the parent's loader flags (such as
    // tsx's), which it would otherwise inherit, each making every thread slower to start.
    let worker: Worker;
    try {
      worker = new Worker(url, { workerData: init, transferList: [...transfer], execArgv: [] });
    } catch (error) {
      // Under a limit on processes or threads (ulimit -u) the system refuses a new thread: end the
      // threads already started, or they keep the process alive for ever.
      this.fail(cannotStart(rank, error));
      return;
    }
    worker.on('message', (report: WorkerReport) => this.onReport(rank, report));
    worker.on('error', (error) => this.fail(cannotStart(rank, error)));
    worker.on('exit', (code) => {
      if (!this.settled)
        this.fail(new StuckRunError(`rank ${rank}'s thread exited (code ${code}) before the run ended`));
    });
    this.workers[rank] = worker;
  }

  private at(atMs: number): number {
    return atMs - this.startedMs;
  }

  private onReport(rank: Rank, report: WorkerReport): void {
    if (this.settled) return;
    switch (report.type) {
      case 'connect':
        this.introduce(rank, report.to);
        return;
      case 'completed':
        this.outputs.push({ rank, file: report.file, hashes: report.hashes, at: this.at(report.atMs) });
        return;
      case 'download-done':
        this.downloadDoneAt.set(rank, this.at(report.atMs));
        return;
      case 'upload-closed':
        this.uploadClosedAt.set(rank, this.at(report.atMs));
        this.stats.set(rank, report.stats);
        this.finishIfDone();
        return;
      case 'tracker-stopped':
        this.trackerStoppedAt = this.at(report.atMs);
        this.finishIfDone();
        return;
    }
  }

  /** Gives two ranks a port to each other; the second of two crossing requests finds it made. */
  private introduce(a: Rank, b: Rank): void {
    const key = Math.min(a, b) * (this.clientCount + 1) + Math.max(a, b);
    if (this.introduced.has(key)) return;
    this.introduced.add(key);
    const { port1, port2 } = new MessageChannel();
    this.workers[a]?.postMessage({ type: 'port', peer: b, port: port1 }, [port1]);
    this.workers[b]?.postMessage({ type: 'port', peer: a, port: port2 }, [port2]);
  }

  private reportProgress(): void {
    let segments = 0;
    for (let rank = 1; rank <= this.clientCount; rank++) segments += Atomics.load(this.progress, rank);
    this.options.onProgress?.(segments);
  }

  /** The tracker stops after every upload side closed; their reports may reach us in either order. */
  private finishIfDone(): void {
    if (this.trackerStoppedAt === undefined || this.stats.size < this.clientCount) return;
    if (this.options.onProgress !== undefined) this.reportProgress();
    const clients = this.scenario.clients;
    const finishes: ClientFinish[] = clients.map((client) => ({
      rank: client.rank,
      downloadDoneAt: this.downloadDoneAt.get(client.rank) ?? Number.NaN,
      uploadClosedAt: this.uploadClosedAt.get(client.rank) ?? Number.NaN,
    }));
    let messages = 0;
    for (let rank = 0; rank <= this.clientCount; rank++) messages += Atomics.load(this.sent, rank);
    const result: RunResult = {
      runtime: 'threads',
      seed: this.options.seed,
      strategy: this.options.strategy,
      clock: 'wall-ms',
      clients: clients.map((client) => this.stats.get(client.rank) as ClientStats),
      outputs: sortOutputs(this.outputs, (rank) => clients[rank - 1]?.wanted ?? []),
      messages,
      wallTimeMs: monotonicMs() - this.startedMs,
      trackerStoppedAt: this.trackerStoppedAt,
      finishes,
    };
    this.settle(() => this.resolve(result));
  }

  private stuck(timeoutMs: number): StuckRunError {
    const waiting = this.scenario.clients
      .filter((client) => !this.uploadClosedAt.has(client.rank))
      .map((client) => client.rank);
    return new StuckRunError(
      `the threads run did not finish in ${timeoutMs} ms; clients not finished: ${waiting.join(', ') || 'none'}`,
    );
  }

  private fail(error: Error): void {
    this.settle(() => this.reject(error));
  }

  private settle(report: () => void): void {
    if (this.settled) return;
    this.settled = true;
    for (const timer of this.timers) clearTimeout(timer);
    // Settle only once every thread is gone, so that a caller never races with a late worker.
    void Promise.all(this.workers.map((worker) => worker.terminate())).then(report, report);
  }
}
