// Which theory a simulated run should be read against, with the one line that says why: Kumar-Ross for
// a flash crowd (a bound on the last completion), Qiu-Srikant for Poisson arrivals (the steady state's
// mean download time); for other arrivals the Kumar-Ross figure is only a yardstick.
import type { SwarmScenario } from '../bittorrent/scenario/scenario.ts';
import type { KumarRossBound } from '../bittorrent/theory/bound.ts';
import { qiuSrikantEstimate } from '../bittorrent/theory/qiu-srikant.ts';

export type Theory =
  | { readonly kind: 'kumar-ross'; readonly boundS: number; readonly explanation: string }
  | { readonly kind: 'qiu-srikant'; readonly meanDownloadS: number; readonly explanation: string }
  | { readonly kind: 'yardstick'; readonly boundS: number; readonly explanation: string };

const BINDING: Record<KumarRossBound['binding'], string> = {
  'seed-upload': 'the seeds must upload every piece at least once',
  'slowest-download': 'the slowest peer must download the whole file',
  'swarm-upload': 'the swarm must deliver the file to every peer with its total upload capacity',
};

export function applicableTheory(scenario: SwarmScenario, bound: KumarRossBound): Theory {
  const groups = scenario.peers.filter((group) => group.count > 0);
  if (groups.every((group) => group.arrival.kind === 'flash')) {
    return {
      kind: 'kumar-ross',
      boundS: bound.boundS,
      explanation:
        `Kumar-Ross bound: no schedule can get the file to all ${bound.peers} peers sooner than ` +
        `${bound.boundS.toFixed(1)} s, because ${BINDING[bound.binding]}. A ratio of 1.10 means 10% slower than that.`,
    };
  }
  const estimate = qiuSrikantEstimate(scenario);
  if (estimate !== null) {
    const stay = Number.isFinite(estimate.stayS) ? `${estimate.stayS.toFixed(0)} s` : 'for ever';
    return {
      kind: 'qiu-srikant',
      meanDownloadS: estimate.meanDownloadS,
      explanation:
        'Peers arrive over time (Poisson), so the flash-crowd bound does not apply; Qiu and Srikant’s fluid ' +
        `model predicts a mean download time of ${estimate.meanDownloadS.toFixed(1)} s whatever the arrival rate ` +
        `(${estimate.limit === 'upload' ? 'file / mean upload, less the time peers stay after completing' : 'file / download rate'}; ` +
        `peers stay ${stay}).`,
    };
  }
  return {
    kind: 'yardstick',
    boundS: bound.boundS,
    explanation:
      `Peers do not all arrive at once: the Kumar-Ross figure (${bound.boundS.toFixed(1)} s) is what the ` +
      'same peers would need arriving together, a yardstick rather than a bound.',
  };
}
