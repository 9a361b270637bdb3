// The answer a report leads with: how a single run ended, or, for several configurations, which was
// faster, by how much, and whether the seeds say that is more than chance (Welch's 95% interval).
import type { SwarmResults } from '../results/swarm.ts';
import { describeStop, type SwarmSummary } from '../results/swarm-summary.ts';
import type { RunGroup } from '../results/sweep.ts';
import { type DifferenceInterval, differenceInterval, meanInterval } from '../util/confidence.ts';

/** What configurations are compared by: the last completion when every run has one, else mean download. */
export interface Measure {
  readonly pick: (summary: SwarmSummary) => number | null;
  /** "finished" or "downloaded on average": what a smaller value means. */
  readonly verb: string;
  readonly name: string;
}

export const LAST_COMPLETION: Measure = {
  pick: (s) => (s.boundRatio === null ? null : s.lastCompletion),
  verb: 'finished',
  name: 'last completion',
};
export const MEAN_DOWNLOAD: Measure = {
  pick: (s) => s.meanDownload.contributors,
  verb: 'downloaded on average',
  name: 'mean download time',
};

export function chooseMeasure(groups: readonly RunGroup[], arrivalsSpread: boolean): Measure | null {
  const runs = groups.flatMap((group) => group.runs);
  const every = (measure: Measure) => runs.every((run) => measure.pick(run.summary) !== null);
  if (!arrivalsSpread && every(LAST_COMPLETION)) return LAST_COMPLETION;
  return every(MEAN_DOWNLOAD) ? MEAN_DOWNLOAD : null;
}

export function valuesOf(group: RunGroup, measure: Measure): number[] {
  return group.runs.map((run) => measure.pick(run.summary)).filter((v): v is number => v !== null);
}

/** b against a, in percent of a's mean: negative is faster (smaller). */
export function relativeDifference(a: readonly number[], b: readonly number[]): DifferenceInterval | null {
  const diff = differenceInterval(a, b);
  const base = meanInterval(a).mean;
  if (diff === null || base === null || base === 0) return null;
  const pct = (v: number) => (100 * v) / base;
  return {
    difference: pct(diff.difference),
    ci95: diff.ci95 === null ? null : [pct(diff.ci95[0]), pct(diff.ci95[1])],
  };
}

const s1 = (value: number) => `${value.toFixed(1)} s`;
const pct = (value: number) => `${Math.abs(value).toFixed(1)}%`;

export function headline(
  groups: readonly RunGroup[],
  labels: readonly string[],
  arrivalsSpread: boolean,
): string {
  if (groups.length === 1) return oneConfiguration(groups[0] as RunGroup, arrivalsSpread);
  const measure = chooseMeasure(groups, arrivalsSpread);
  if (measure === null) {
    return groups
      .map((group, i) => `${labels[i]}: ${completedText(group.runs)}`)
      .join('; ')
      .concat('. Not every run completed, so no times are compared.');
  }
  const means = groups.map(
    (group) => meanInterval(valuesOf(group, measure)).mean ?? Number.POSITIVE_INFINITY,
  );
  // The best configuration against the first (the baseline); if the first is best, against the runner-up.
  const order = means.map((_, i) => i).sort((a, b) => (means[a] as number) - (means[b] as number));
  const [bestIndex, otherIndex] = order[0] === 0 ? [0, order[1] as number] : [order[0] as number, 0];
  const best = groups[bestIndex] as RunGroup;
  const other = groups[otherIndex] as RunGroup;
  const diff = relativeDifference(valuesOf(other, measure), valuesOf(best, measure));
  const [bestLabel, otherLabel] = [labels[bestIndex] as string, labels[otherIndex] as string];
  const seeds = seedsText(best, other);
  const prefix = groups.length > 2 ? `Of ${groups.length} configurations, ` : '';
  if (diff === null) return `${prefix}${bestLabel} and ${otherLabel}: no comparison possible.`;
  if (diff.ci95 === null) {
    return (
      `${prefix}${bestLabel} ${measure.verb} ${pct(diff.difference)} faster than ${otherLabel} (${seeds}), ` +
      'too few to tell an effect from chance: `swarmlab sweep` over ten seeds gives an interval.'
    );
  }
  const [lo, hi] = diff.ci95;
  if (hi < 0) {
    return `${prefix}${bestLabel} ${measure.verb} ${pct(diff.difference)} faster than ${otherLabel} (95% CI ${Math.abs(hi).toFixed(1)}–${pct(lo)}, ${seeds}).`;
  }
  return (
    `${prefix}No significant difference between ${bestLabel} and ${otherLabel} in ${measure.name}: ` +
    `${pct(diff.difference)} apart, 95% CI ${signed(lo)} to ${signed(hi)} (${seeds}).`
  );
}

/** A percentage with its sign, as shown: no sign on what rounds to 0.0 (never "−0.0%"). */
export function signed(value: number): string {
  const shown = Math.abs(value).toFixed(1);
  const sign = shown === '0.0' ? '' : value > 0 ? '+' : '−';
  return `${sign}${shown}%`;
}

function seedsText(a: RunGroup, b: RunGroup): string {
  const [na, nb] = [a.runs.length, b.runs.length];
  if (na === nb) return na === 1 ? 'one seed each' : `${na} seeds each`;
  return `${na} and ${nb} seeds`;
}

function completedText(runs: readonly SwarmResults[]): string {
  const done = runs.reduce((sum, run) => sum + run.summary.completed, 0);
  const peers = runs.reduce((sum, run) => sum + run.summary.peers, 0);
  return `${done} of ${peers} peers completed${runs.length > 1 ? ` over ${runs.length} seeds` : ''}`;
}

function oneConfiguration(group: RunGroup, arrivalsSpread: boolean): string {
  const runs = group.runs;
  const [run] = runs;
  if (run === undefined) return 'No runs.';
  if (runs.length === 1) {
    const s = run.summary;
    const ended = `${s.completed} of ${s.peers} peers completed; stopped at ${s1(s.endedAtS)} because ${describeStop(s)}`;
    if (arrivalsSpread && s.meanDownload.contributors !== null) {
      return `${ended}. Peers took ${s1(s.meanDownload.contributors)} on average to download.`;
    }
    if (s.boundRatio === null || s.lastCompletion === null || s.kumarRossBound === null) return `${ended}.`;
    return `${ended}. The last finished at ${s1(s.lastCompletion)}, ${s.boundRatio.toFixed(2)}× the Kumar-Ross bound of ${s1(s.kumarRossBound)}.`;
  }
  const last = meanInterval(valuesOf(group, arrivalsSpread ? MEAN_DOWNLOAD : LAST_COMPLETION));
  const stalled = runs.filter((r) => r.summary.stopReason === 'stalled').length;
  const base = `Over ${runs.length} seeds, ${completedText(runs).replace(/ over \d+ seeds$/, '')}`;
  const stall = stalled > 0 ? `; ${stalled} run${stalled === 1 ? '' : 's'} stalled` : '';
  if (last.mean === null || last.n < runs.length) return `${base}${stall}.`;
  const ci = last.ci95 === null ? '' : ` (95% CI ${last.ci95[0].toFixed(1)}–${last.ci95[1].toFixed(1)})`;
  if (arrivalsSpread) return `${base}; peers took ${s1(last.mean)} on average to download${ci}.`;
  const bound = run.summary.kumarRossBound;
  if (bound === null) return `${base}; the last finished at ${s1(last.mean)} on average${ci}.`;
  return `${base}; the last finished at ${s1(last.mean)} on average${ci}, ${(last.mean / bound).toFixed(2)}× the Kumar-Ross bound.`;
}
