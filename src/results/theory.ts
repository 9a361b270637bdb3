// Which theory a simulated run should be read against, with the one line that says why: Kumar-Ross for
// a flash crowd (a bound on the last completion, from the peers the run drew), Qiu-Srikant for Poisson
// arrivals (the steady state's mean download time and leechers); for other arrivals the Kumar-Ross
// figure is only a yardstick; and where no finite bound exists, none is claimed.
import type { SwarmScenario } from '../bittorrent/scenario/scenario.ts';
import type { KumarRossBound } from '../bittorrent/theory/bound.ts';
import { qiuSrikantEstimate } from '../bittorrent/theory/qiu-srikant.ts';

export type Theory =
  | { readonly kind: 'kumar-ross'; readonly boundS: number; readonly explanation: string }
  | {
      readonly kind: 'qiu-srikant';
      readonly meanDownloadS: number;
      readonly meanLeechers: number;
      readonly explanation: string;
    }
  | { readonly kind: 'yardstick'; readonly boundS: number; readonly explanation: string }
  | { readonly kind: 'no-bound'; readonly explanation: string };

/** What the choice needs of a bound: results files keep a bound that is not finite as null. */
export interface BoundFigures {
  readonly boundS: number | null;
  readonly binding: KumarRossBound['binding'];
  readonly peers: number;
}

const BINDING: Record<KumarRossBound['binding'], string> = {
  'seed-upload': 'the seeds must upload every piece at least once',
  'slowest-download': 'the slowest peer must download the whole file',
  'swarm-upload': 'the swarm must deliver the file to every peer with its total upload capacity',
  'no-contributors': 'no peer must complete: every leecher rides free',
};

/** A finite bound's seconds, or null. */
export function finiteBound(bound: BoundFigures): number | null {
  return bound.boundS !== null && Number.isFinite(bound.boundS) ? bound.boundS : null;
}

export function applicableTheory(scenario: SwarmScenario, bound: BoundFigures): Theory {
  const groups = scenario.peers.filter((group) => group.count > 0);
  const estimate = qiuSrikantEstimate(scenario);
  if (estimate !== null) {
    const stay = Number.isFinite(estimate.stayS) ? `${estimate.stayS.toFixed(0)} s` : 'for ever';
    if (!Number.isFinite(estimate.meanDownloadS)) {
      return {
        kind: 'no-bound',
        explanation:
          'Peers arrive over time (Poisson), but Qiu and Srikant’s fluid model has no steady state here: ' +
          'the upload cannot serve the arrivals, so leechers pile up.',
      };
    }
    return {
      kind: 'qiu-srikant',
      meanDownloadS: estimate.meanDownloadS,
      meanLeechers: estimate.meanLeechers,
      explanation:
        'Peers arrive over time (Poisson), so the flash-crowd bound does not apply; Qiu and Srikant’s fluid ' +
        `model predicts a mean download time of ${estimate.meanDownloadS.toFixed(1)} s whatever the arrival rate, ` +
        `with ${estimate.meanLeechers.toFixed(1)} leechers on average ` +
        `(${estimate.limit === 'upload' ? 'limited by the upload of peers and initial seeds, less the time peers stay after completing' : 'limited by the download rate'}; ` +
        `peers stay ${stay}).`,
    };
  }
  const boundS = finiteBound(bound);
  if (boundS === null) {
    return {
      kind: 'no-bound',
      explanation: `No finite Kumar-Ross bound: ${BINDING[bound.binding]}${bound.binding === 'no-contributors' ? '' : ' and they upload nothing'}.`,
    };
  }
  if (groups.every((group) => group.arrival.kind === 'flash')) {
    return {
      kind: 'kumar-ross',
      boundS,
      explanation:
        `Kumar-Ross bound, from the peers drawn: no schedule can get the file to all ${bound.peers} peers that ` +
        `must complete (free riders aside) sooner than ${boundS.toFixed(1)} s, because ${BINDING[bound.binding]}. ` +
        'A ratio of 1.10 means 10% slower than that.',
    };
  }
  return {
    kind: 'yardstick',
    boundS,
    explanation:
      `Peers do not all arrive at once: the Kumar-Ross figure (${boundS.toFixed(1)} s) is what the ` +
      'same peers would need arriving together, a yardstick rather than a bound.',
  };
}
