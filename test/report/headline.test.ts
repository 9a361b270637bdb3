// What a report leads with: the answer, its theory, and how to run it again.
import { describe, expect, it } from 'vitest';
import { readSwarmScenario } from '../../src/bittorrent/scenario/scenario-file.ts';
import { simulateSwarm } from '../../src/bittorrent/sim/simulation.ts';
import { headline, signed } from '../../src/report/headline.ts';
import { renderReport } from '../../src/report/html.ts';
import { reproduceCommands } from '../../src/report/provenance.ts';
import { toSwarmResults } from '../../src/results/swarm.ts';
import { runBound, summarizeSwarm } from '../../src/results/swarm-summary.ts';
import { groupRuns } from '../../src/results/sweep.ts';
import { finishingAt, reportData, swarmRun } from '../support/report-pages.ts';

const render = (runs: Parameters<typeof groupRuns>[0]) =>
  renderReport({ kind: 'swarm', runs }, { swarmlab: '0', createdAt: new Date(0) });
const headlineOf = (page: string) => /<p class="headline" id="headline">(.*?)<\/p>/s.exec(page)?.[1] ?? '';

describe('the headline', () => {
  const bases = { 'rarest-first': swarmRun(), random: swarmRun({ pieces: 'random' }) };
  const group = (pieces: keyof typeof bases, times: number[]) =>
    times.map((t, i) => ({
      ...finishingAt(bases[pieces], t, i + 1),
      overrides: [`strategy.pieces=${pieces}`],
    }));

  it('says which configuration finished faster, by how much, with the interval over seeds', () => {
    const runs = [...group('rarest-first', [100, 101, 99]), ...group('random', [90, 91, 89])];
    const groups = groupRuns(runs);
    const text = headline(groups, ['rarest-first', 'random'], false);
    // (90 - 100) / 100, Welch's interval with sd 1 in each group: +-2.776 * sqrt(2/3) s.
    expect(text).toBe('random finished 10.0% faster than rarest-first (95% CI 7.7–12.3%, 3 seeds each).');
  });

  it('says so when the difference is within the seeds’ spread', () => {
    const runs = [...group('rarest-first', [100, 110, 90]), ...group('random', [99, 109, 89])];
    expect(headline(groupRuns(runs), ['rarest-first', 'random'], false)).toMatch(
      /^No significant difference between random and rarest-first in last completion: 1\.0% apart, 95% CI −\d+\.\d% to \+\d+\.\d% \(3 seeds each\)\.$/,
    );
  });

  it('signs percentages as shown, never "−0.0%"', () => {
    expect([signed(-0.004), signed(0.04), signed(-2.26), signed(12.25)]).toEqual([
      '0.0%',
      '0.0%',
      '−2.3%',
      '+12.3%',
    ]);
  });

  it('warns that one seed each cannot tell an effect from chance', () => {
    const runs = [...group('rarest-first', [100]), ...group('random', [97])];
    expect(headline(groupRuns(runs), ['rarest-first', 'random'], false)).toContain(
      'random finished 3.0% faster than rarest-first (one seed each), too few to tell',
    );
  });

  it('gives a single run’s stop reason and its ratio to the bound, explained', () => {
    const run = swarmRun();
    const page = render([run]);
    expect(headlineOf(page)).toContain(
      `10 of 10 peers completed; stopped at ${run.summary.endedAtS.toFixed(1)} s because every peer completed`,
    );
    expect(headlineOf(page)).toContain(
      `${(run.summary.boundRatio as number).toFixed(2)}× the Kumar-Ross bound`,
    );
    expect(page).toContain(
      'Kumar-Ross bound, from the peers drawn: no schedule can get the file to all 10 peers that must complete',
    );
    expect(page).not.toContain('Qiu');
  });

  it('says a stalled swarm stalled, and how far it got', () => {
    const run = swarmRun({ seedLeaveAtS: 3, stopAtS: 2000 });
    expect(run.summary.stopReason).toBe('stalled');
    const text = headlineOf(render([run]));
    expect(text).toContain(`${run.summary.completed} of 10 peers completed`);
    expect(text).toContain('because the swarm stalled');
    expect((reportData(render([run])) as { events: unknown }).events).toEqual([
      { x: 3, label: 'initial seeds leave' },
    ]);
  });

  it('reads a Poisson swarm against Qiu-Srikant, not Kumar-Ross', async () => {
    const scenario = await readSwarmScenario('scenarios/poisson.yaml', ['peers.count=12', 'file.size=4MB']);
    const sim = simulateSwarm(scenario, { seed: 1 });
    const bound = runBound(sim);
    const run = toSwarmResults(sim, summarizeSwarm(sim, bound), bound, {
      source: 'scenarios/poisson.yaml',
      swarmlab: '0',
      createdAt: new Date(0),
    });
    const page = render([run]);
    expect(page).toContain('Qiu and Srikant’s fluid model predicts a mean download time of');
    expect(page).not.toContain('Kumar-Ross bound: no schedule');
    expect((reportData(page) as { sharedMark: { label: string } }).sharedMark.label).toBe(
      'Qiu-Srikant mean download',
    );
    expect(headlineOf(page)).toContain('on average to download');
  });
});

describe('the command that runs it again', () => {
  const run = (pieces: string, seed: number) => ({
    ...swarmRun(pieces === 'random' ? { pieces: 'random' } : {}, seed),
    source: 'scenarios/flash-crowd.yaml',
    overrides: ['peers.count=10', `strategy.pieces=${pieces}`],
  });

  it('is one simulate for one run, one sweep for a grid over seeds', () => {
    expect(reproduceCommands(groupRuns([run('random', 3)]))).toEqual([
      'swarmlab simulate scenarios/flash-crowd.yaml --set peers.count=10 --set strategy.pieces=random --seed 3',
    ]);
    const grid = [run('rarest-first', 1), run('rarest-first', 2), run('random', 1), run('random', 2)];
    expect(reproduceCommands(groupRuns(grid))).toEqual([
      'swarmlab sweep scenarios/flash-crowd.yaml --set peers.count=10 --vary strategy.pieces=rarest-first,random --seeds 1..2',
    ]);
    expect(render(grid)).toContain('--vary strategy.pieces=rarest-first,random --seeds 1..2');
  });
});
