// `npm run vopr [-- --seed N] [-- --runs N]`: the swarm simulator's VOPR. Draws fresh seeds, runs each
// seed's scenario with its faults and every core's invariants checked after every event, and stops at
// the first failure with the command that replays it. Each seed also runs with the simulator's announced
// views and without, and the two runs must be the same. `npm test` runs fixed seeds of the same harness.
import { randomInt } from 'node:crypto';
import { check, checkViewsChangeNothing, runSeed } from './support/vopr.ts';

function option(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : Number(process.argv[at + 1]);
}

function tryOne(seed: number): boolean {
  try {
    const { scenario, faults, run } = runSeed(seed, { faults: true, invariants: true });
    check(scenario, run, `seed ${seed}`, faults);
    checkViewsChangeNothing(seed, true);
    return true;
  } catch (error) {
    process.stdout.write(`\nFAILED: ${(error as Error).stack ?? String(error)}\n`);
    process.stdout.write(`replay it: npm run vopr -- --seed ${seed}\n`);
    return false;
  }
}

const replay = option('seed');
if (replay !== undefined) process.exit(tryOne(replay) ? 0 : 1);
const runs = option('runs') ?? Number.POSITIVE_INFINITY;
const started = Date.now();
for (let i = 1; i <= runs; i++) {
  const seed = randomInt(1, 2 ** 31);
  if (!tryOne(seed)) process.exit(1);
  if (i % 25 === 0)
    process.stdout.write(`${i} seeds passed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
process.stdout.write(`${runs} seeds passed\n`);
