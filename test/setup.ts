// Every fast-check property in `npm test` runs with one fixed seed, so that the suite is deterministic;
// FC_SEED=N runs them with another (what a seed prints on failure replays it).
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20_261_130) });
