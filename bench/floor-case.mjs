// The memory floor under the simulator's speed targets: the least work that `have` announcements cost
// in a swarm of N peers with K neighbours each, on flat typed arrays and nothing else (no protocol, no
// events, no objects, no messages). Every peer gets every piece once, so a run of N peers x P pieces
// delivers N x P pieces, and each completed piece is announced to K neighbours.
//
// Two measures, each per neighbour reached:
// - count: the neighbour's availability count of the piece goes up by one. Rarest-first needs this
//   count at every peer; nothing less keeps it.
// - fan-out: what BtPeer does on the store's arrays: the neighbour's have bit is read, its count and
//   its interest in the announcer go up; and the announcer, which has just completed the piece, lowers
//   its interest in each neighbour that holds it (announceToNeighbours and loseInterestIn).
//
// Neighbours are drawn at random, as a tracker hands them out; pieces are drawn at random, as
// rarest-first spreads them. Prints one line of JSON. Called by bench/bench.ts (`floor`).

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
const counts = new Uint8Array(peers * pieces);
const have = new Uint32Array(peers * words);
const interesting = new Int32Array(peers * neighbours);
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

function countOnly() {
  const started = performance.now();
  for (let h = 0; h < haves; h++) {
    const from = announcements[2 * h];
    const piece = announcements[2 * h + 1];
    for (let k = from * neighbours; k < (from + 1) * neighbours; k++) {
      counts[neighbour[k] * pieces + piece]++;
    }
  }
  return performance.now() - started;
}

function fanOut() {
  const started = performance.now();
  let changes = 0;
  for (let h = 0; h < haves; h++) {
    const from = announcements[2 * h];
    const piece = announcements[2 * h + 1];
    const word = piece >>> 5;
    const bit = 1 << (piece & 31);
    have[from * words + word] |= bit;
    for (let k = from * neighbours; k < (from + 1) * neighbours; k++) {
      const other = neighbour[k];
      if ((have[other * words + word] & bit) !== 0) {
        if (--interesting[k] === 0) changes++;
        continue;
      }
      counts[other * pieces + piece]++;
      if (interesting[mirror[k]]++ === 0) changes++;
    }
  }
  return { ms: performance.now() - started, changes };
}

const countMs = countOnly();
const fan = fanOut();
const reached = haves * neighbours;
process.stdout.write(
  `${JSON.stringify({
    countNsPerNeighbour: (countMs * 1e6) / reached,
    fanOutNsPerNeighbour: (fan.ms * 1e6) / reached,
    interestChanges: fan.changes,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
