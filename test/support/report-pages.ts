// Results and report pages for the report tests: small runs made in code, and readers of a page's text.
import { simulateSwarm } from '../../src/bittorrent/sim/simulation.ts';
import { generateClassic } from '../../src/classic/input/generate.ts';
import { runSim } from '../../src/classic/sim/runtime.ts';
import { type ClassicResults, toClassicResults } from '../../src/results/classic.ts';
import { summarize } from '../../src/results/classic-summary.ts';
import { type SwarmResults, toSwarmResults } from '../../src/results/swarm.ts';
import { runBound, summarizeSwarm } from '../../src/results/swarm-summary.ts';
import { flashCrowd } from './swarm-scenarios.ts';

const meta = { input: 'x', source: 'x', swarmlab: '0', createdAt: new Date(0) };

export function classicRun(clients: number, seed = 4): ClassicResults {
  const scenario = generateClassic({ clients, files: 3, maxSegments: 20, seed });
  const result = runSim(scenario, { seed, strategy: 'random' });
  return toClassicResults(result, summarize(result), { ...meta, input: `gen-${clients}` });
}

export function swarmRun(overrides: Parameters<typeof flashCrowd>[0] = {}, seed = 1) {
  const scenario = flashCrowd({ peers: 10, fileBytes: 2_000_000, ...overrides });
  const run = simulateSwarm(scenario, { seed });
  const bound = runBound(run);
  return toSwarmResults(run, summarizeSwarm(run, bound), bound, meta);
}

/** The data a report page carries for its charts. */
export function reportData(page: string): Record<string, unknown> {
  const match = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page);
  if (match === null) throw new Error('the page carries no report data');
  return JSON.parse(match[1] as string) as Record<string, unknown>;
}

/** The cells of the summary row whose first cell is `name`. */
export function summaryRow(page: string, name: string): string[] | undefined {
  for (const row of page.matchAll(/<tr>(.*?)<\/tr>/gs)) {
    const cells = [...(row[1] as string).matchAll(/<t[dh]>(.*?)<\/t[dh]>/gs)].map((c) => c[1] as string);
    if (cells[0] === name) return cells.slice(1);
  }
  return undefined;
}

/** A copy of `run` whose summary says its last peer finished at `lastS` (the bound ratio to match). */
export function finishingAt(run: SwarmResults, lastS: number, seed: number): SwarmResults {
  const summary = {
    ...run.summary,
    lastCompletion: lastS,
    boundRatio: lastS / (run.summary.kumarRossBound as number),
  };
  return { ...run, seed, summary };
}
