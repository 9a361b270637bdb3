// The floor under the simulator's speed targets: the least time that `have` announcements cost in a
// swarm of N peers with K neighbours each, on flat typed arrays and nothing else (no protocol, no
// events, no objects, no messages). Every peer gets every piece once, so a run of N peers x P pieces
// announces N x P pieces, each to K neighbours. The cost is memory latency: each neighbour is a random
// place in megabytes of state.
//
// Two measures, each per neighbour reached, with half of the neighbours holding the piece already (the
// average over a run, where the share of holders grows from none to all):
// - count: the neighbour's availability count of the piece goes up by one if it lacks the piece.
//   Rarest-first needs this count at every peer; nothing less keeps it. Two ways, the faster counts:
//   read the neighbour's have bit and count only if it lacks the piece (as BtPeer does), or count at
//   every neighbour without reading anything else (a count of a piece held is never read).
// - fan-out: also the interest counts that BitTorrent's interested messages follow: a neighbour that
//   lacks the piece becomes more interested in the announcer; the announcer, which has just completed
//   the piece, becomes less interested in a neighbour that holds it. This is BtPeer's
//   announceToNeighbours and loseInterestIn in one pass, with less work (no choke check, one have read).
//
// Neighbours are drawn at random, as a tracker hands them out; announcements are drawn at random, as
// rarest-first spreads pieces. Each measure runs once to warm up, then is timed. Prints one line of JSON.
// Called by bench/bench.ts (`floor`).

const { peers, pieces, neighbours, haves } = JSON.parse(process.argv[2]);

let state = 0x9e3779b9;
/** xorshift32: a fixed draw, so that every run measures the same accesses. */
function draw(below) {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return Math.floor(((state >>> 0) / 4294967296) * below);
}

const words = (pieces + 31) >>> 5;
const have = new Uint32Array(peers * words);
// Every word has half of its bits set, at random: a neighbour holds a given piece with probability 1/2.
for (let i = 0; i < have.length; i++) have[i] = draw(2 ** 32) >>> 0;
const counts = new Uint8Array(peers * pieces).fill(1);
/** Interest counts start high, so that none crosses zero and every run takes the same branches. */
const interesting = new Int32Array(peers * neighbours).fill(1 << 20);
/** Link k of peer i leads to peer neighbour[i*K+k], whose end of that link is mirror[i*K+k]. */
const neighbour = new Int32Array(peers * neighbours);
const mirror = new Int32Array(peers * neighbours);
for (let link = 0; link < peers * neighbours; link++) {
  const other = draw(peers);
  neighbour[link] = other;
  mirror[link] = other * neighbours + draw(neighbours);
}
const announcements = new Int32Array(2 * haves);
for (let h = 0; h < haves; h++) {
  announcements[2 * h] = draw(peers);
  announcements[2 * h + 1] = draw(pieces);
}

// Each run takes `delta`: the warm-up adds, the timed run takes away, so that both take the same
// branches and the state ends as it began.

function countAll(delta) {
  for (let h = 0; h < haves; h++) {
    const from = announcements[2 * h];
    const piece = announcements[2 * h + 1];
    for (let k = from * neighbours; k < (from + 1) * neighbours; k++) {
      counts[neighbour[k] * pieces + piece] += delta;
    }
  }
}

function countLacking(delta) {
  for (let h = 0; h < haves; h++) {
    const from = announcements[2 * h];
    const piece = announcements[2 * h + 1];
    const word = piece >>> 5;
    const bit = 1 << (piece & 31);
    for (let k = from * neighbours; k < (from + 1) * neighbours; k++) {
      const other = neighbour[k];
      if ((have[other * words + word] & bit) === 0) counts[other * pieces + piece] += delta;
    }
  }
}

function fanOut(delta) {
  for (let h = 0; h < haves; h++) {
    const from = announcements[2 * h];
    const piece = announcements[2 * h + 1];
    const word = piece >>> 5;
    const bit = 1 << (piece & 31);
    for (let k = from * neighbours; k < (from + 1) * neighbours; k++) {
      const other = neighbour[k];
      if ((have[other * words + word] & bit) !== 0) {
        interesting[k] -= delta;
        continue;
      }
      counts[other * pieces + piece] += delta;
      interesting[mirror[k]] += delta;
    }
  }
}

/** The time of one run after a warm-up run (which the timed run then undoes). */
function timed(run) {
  run(1);
  const started = performance.now();
  run(-1);
  return performance.now() - started;
}

const countMs = Math.min(timed(countAll), timed(countLacking));
const fanOutMs = timed(fanOut);
const reached = haves * neighbours;
process.stdout.write(
  `${JSON.stringify({
    countNsPerNeighbour: (countMs * 1e6) / reached,
    fanOutNsPerNeighbour: (fanOutMs * 1e6) / reached,
  })}\n`,
);
