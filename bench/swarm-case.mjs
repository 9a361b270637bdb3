// One simulator benchmark case, on the compiled code, in a process of its own (so that its peak memory
// is its own): a homogeneous flash crowd of N peers for a file of P pieces, to the end or to a virtual
// time. Prints one line of JSON.
// Called by bench/bench.ts.
import { simulateSwarm } from '../dist/bittorrent/sim/simulation.js';

const { peers, pieces, stopAtS = null } = JSON.parse(process.argv[2]);
const MBIT = 125_000;
const pieceBytes = 256 * 1024;
const scenario = {
  name: `flash-crowd-${peers}x${pieces}`,
  description: '',
  file: { sizeBytes: pieces * pieceBytes, pieceBytes, blockBytes: 16 * 1024 },
  seeds: { count: 1, uploadBps: { kind: 'fixed', value: 10 * MBIT }, leaveAtS: null },
  peers: [
    {
      name: 'crowd',
      count: peers,
      uploadBps: { kind: 'fixed', value: 1 * MBIT },
      downloadBps: { kind: 'fixed', value: 8 * MBIT },
      arrival: { kind: 'flash' },
      afterDone: { kind: 'forever' },
      freeRiders: 0,
    },
  ],
  network: { latencyS: { kind: 'fixed', value: 0.05 } },
  tracker: { peersPerRequest: 50, reannounceS: 1800 },
  strategy: {
    pieces: 'rarest-first',
    randomFirstPieces: 4,
    endgame: true,
    peers: 'tit-for-tat',
    maxConnections: 80,
    requestsInFlight: 5,
  },
  stop: { whenAllDone: true, atS: stopAtS },
  sampleEveryS: 10,
};
const started = performance.now();
const run = simulateSwarm(scenario, { seed: 1 });
const wallMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    wallMs,
    events: run.events,
    endedAtS: run.endedAtS,
    stopReason: run.stopReason,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
