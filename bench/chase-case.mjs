// The memory floor beside the classic scaling case: the cost of one dependent read (each address comes
// from the read before, as in a walk through objects) over a working set of the given size, on this
// machine, now. The classic sim's live data is about 1.2 MB at 250 clients and 5 to 12 MB at 2,000: if a
// read costs many times more at the larger size, memory alone explains a per-message time that grows.
// Prints one line of JSON. Called by bench/bench.ts (`npm run bench -- classic-scale`).
const { bytes } = JSON.parse(process.argv[2]);
const length = Math.floor(bytes / 4);
// One random cycle through every slot (Sattolo's shuffle), so that the walk visits the whole set.
const next = new Int32Array(length).map((_, i) => i);
let state = 7;
for (let i = length - 1; i > 0; i--) {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  const j = state % i;
  const t = next[i];
  next[i] = next[j];
  next[j] = t;
}
const steps = 5e6;
let at = 0;
for (let i = 0; i < steps; i++) at = next[at]; // warm the set and the JIT
const started = process.hrtime.bigint();
for (let i = 0; i < steps; i++) at = next[at];
const ns = Number(process.hrtime.bigint() - started) / steps;
process.stdout.write(`${JSON.stringify({ bytes, nsPerRead: ns, end: at })}\n`);
