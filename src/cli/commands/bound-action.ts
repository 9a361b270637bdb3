// What `swarmlab bound` does (declared with its flags in bound.ts, which loads this file when it runs).
import { getHeapStatistics } from 'node:v8';
import { checkPlansFit } from '../../bittorrent/scenario/memory.ts';
import { readSwarmScenario } from '../../bittorrent/scenario/scenario-file.ts';
import { drawPeers } from '../../bittorrent/sim/plan.ts';
import { kumarRossBound } from '../../bittorrent/theory/bound.ts';
import { formatBound } from '../tables/swarm-table.ts';

export async function bound(path: string, flags: { set: string[]; seed: number }): Promise<void> {
  const scenario = await readSwarmScenario(path, flags.set);
  // Drawing the peers takes memory too: refuse what cannot fit before drawing them.
  checkPlansFit(scenario, getHeapStatistics().heap_size_limit, path);
  const bound = kumarRossBound(drawPeers(scenario, flags.seed), scenario.file.sizeBytes);
  process.stdout.write(`${formatBound(scenario.name, bound)}\n`);
}
