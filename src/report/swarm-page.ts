// The page of one or several simulated runs: the answer first (headline, theory, comparison), then the
// charts, then what ran and how to run it again, then every figure. Runs of one configuration over
// several seeds are one group: one colour, their mean with a 95% band.
import type { SwarmResults } from '../results/swarm.ts';
import { groupRuns, type RunGroup } from '../results/sweep.ts';
import { applicableTheory, type Theory } from '../results/theory.ts';
import { availability, uploadAgainstCapacity } from './chart-data.ts';
import { comparisonTable } from './comparison.ts';
import { meanCdf, meanSeries } from './groups.ts';
import { headline } from './headline.ts';
import { chartSection, escapeHtml, horizontalTable } from './html-parts.ts';
import { configurationLabels } from './labels.ts';
import { reproduceCommands } from './provenance.ts';
import { swarmSummaryTable } from './summary-table.ts';
import { availabilityHeat, cdfByKind, peerTimelines, shareRatioHistogram } from './views.ts';

export interface Page {
  readonly title: string;
  readonly top: string;
  readonly sections: string;
  readonly payload: unknown;
}

export function swarmPage(runs: readonly SwarmResults[], colour: (i: number) => string): Page {
  const groups = groupRuns(runs);
  const { labels, field } = configurationLabels(groups.map((group) => group.set));
  const spread = runs.some((run) =>
    run.scenario.peers.some((g) => g.count > 0 && g.arrival.kind !== 'flash'),
  );
  const theories = groups.map((group) => theoryOf(group.runs[0] as SwarmResults));
  const names = [...new Set(runs.map((r) => r.scenario.name))].join(', ');
  const firstRun = (groups[0] as RunGroup).runs[0] as SwarmResults;
  const severalKinds = groups.some((group) => cdfByKind(group.runs).length > 1);
  const title = `swarmlab simulation${runs.length > 1 ? 's' : ''}: ${names}`;
  const comparing =
    field === null ? '' : `<p class="note">Configurations differ in ${escapeHtml(field)}.</p>`;
  const top = [
    `<p class="headline" id="headline">${escapeHtml(headline(groups, labels, spread))}</p>`,
    comparing,
    `<p class="theory">${[...new Set(theories.map((t) => t.explanation))].map(escapeHtml).join('<br>')}</p>`,
    groups.length > 1 ? comparisonSection(groups, labels) : '',
  ].join('\n');
  const sections = [
    chartSection('cdf', 'Completion time CDF', cdfNote(theories)),
    chartSection('population', 'Leechers and seeds over time'),
    chartSection('upload', "Aggregate upload rate against the swarm's capacity"),
    chartSection(
      'availability',
      'Minimum and mean piece availability over time',
      'Log scale: 0 copies (a piece lost for now) is drawn at the bottom.',
    ),
    chartSection('scatter', 'Per-peer upload against download'),
    chartSection('shares', 'Share ratios of contributing peers'),
    chartSection(
      'heat',
      `Piece availability, piece by piece${runs.length > 1 ? ` (${labels[0]}, seed ${firstRun.seed})` : ''}`,
      'Rows: pieces; columns: time. Red: no copy among the peers present; darker blue: more copies (log scale).',
    ),
    chartSection(
      'timelines',
      `Each peer's timeline${runs.length > 1 ? ` (${labels[0]}, seed ${firstRun.seed})` : ''}`,
      'Blue: downloading, from arrival to completion; green: seeding, until it leaves or the run ends; red: never completed.',
    ),
    severalKinds ? chartSection('kinds', 'Completion time CDF by kind of peer') : '',
    whatRan(groups),
    `<details><summary>Every figure of every run</summary>${swarmSummaryTable(
      groups.flatMap((g) => g.runs),
      runLabels(groups, labels),
    )}</details>`,
  ].join('\n');
  return { title, top, sections, payload: payload(groups, labels, theories, colour) };
}

function theoryOf(run: SwarmResults): Theory {
  return applicableTheory(run.scenario, run.bound);
}

function cdfNote(theories: readonly Theory[]): string {
  return theories.some((t) => t.kind === 'qiu-srikant')
    ? 'Dashed: the mean download time Qiu and Srikant’s model predicts.'
    : 'Dashed: the Kumar-Ross bound, which no schedule can beat.';
}

function comparisonSection(groups: readonly RunGroup[], labels: readonly string[]): string {
  const table = comparisonTable(groups, labels);
  return `<section><h2>Comparison</h2><p class="note">Means over seeds (95% interval); differences against the first configuration, in percent of its mean (Welch’s 95% interval).</p>${horizontalTable(table.header, table.rows, 'comparison')}</section>`;
}

function whatRan(groups: readonly RunGroup[]): string {
  const runs = groups.flatMap((group) => group.runs);
  const scenarios = [...new Map(runs.map((r) => [r.source, r])).values()]
    .map(
      (r) =>
        `<li><code>${escapeHtml(r.source)}</code>: ${escapeHtml(r.scenario.description || r.scenario.name)}</li>`,
    )
    .join('');
  const overrides = [...new Set(runs.flatMap((r) => r.overrides ?? []))];
  const commands = reproduceCommands(groups);
  const shown = commands.slice(0, 12).map((c) => `<pre><code>${escapeHtml(c)}</code></pre>`);
  const more = commands.length > 12 ? `<p class="note">and ${commands.length - 12} more runs</p>` : '';
  return `<section id="what-ran"><h2>What ran</h2><ul>${scenarios}</ul>
<p>Overrides: ${overrides.length === 0 ? 'none' : overrides.map((o) => `<code>${escapeHtml(o)}</code>`).join(' ')}</p>
<p>To run ${runs.length === 1 ? 'it' : 'them'} again:</p>${shown.join('')}${more}</section>`;
}

/** Per-run names for the full table: every differing field in full, and the seed when there are several. */
function runLabels(groups: readonly RunGroup[], labels: readonly string[]): string[] {
  return groups.flatMap((group, i) => {
    const set = Object.entries(group.set).map(([field, value]) => `${field}=${value}`);
    const name = set.length === 0 ? (labels[i] as string) : set.join(', ');
    return group.runs.map((run) => (group.runs.length > 1 ? `${name}, seed ${run.seed}` : name));
  });
}

function payload(
  groups: readonly RunGroup[],
  labels: readonly string[],
  theories: readonly Theory[],
  colour: (i: number) => string,
) {
  const marks = theories.map((t) =>
    t.kind === 'no-bound'
      ? null
      : {
          x: t.kind === 'qiu-srikant' ? t.meanDownloadS : t.boundS,
          label: t.kind === 'qiu-srikant' ? 'Qiu-Srikant mean download' : 'Kumar-Ross bound',
        },
  );
  const same = marks.every((m) => m?.x === marks[0]?.x && m?.label === marks[0]?.label);
  const leaves = groups.flatMap((group) => {
    const at = (group.runs[0] as SwarmResults).scenario.seeds.leaveAtS;
    return at === null ? [] : [at];
  });
  const firstRun = (groups[0] as RunGroup).runs[0] as SwarmResults;
  return {
    kind: 'swarm',
    heat: availabilityHeat(firstRun),
    timelines: peerTimelines(firstRun),
    // The bound drawn once when every configuration shares it, else once per configuration.
    sharedMark: same ? marks[0] : null,
    events: [...new Set(leaves)].map((x) => ({ x, label: 'initial seeds leave' })),
    groups: groups.map((group, i) => ({
      label: labels[i],
      colour: colour(i),
      seeds: group.runs.length,
      mark: same ? null : marks[i],
      cdf: meanCdf(group.runs),
      leechers: meanSeries(group.runs, (r) => r.series.leechers),
      seedsPresent: meanSeries(group.runs, (r) => r.series.seeds),
      upload: meanSeries(group.runs, (r) => r.series.uploadBps),
      capacity: meanSeries(group.runs, (r) => uploadAgainstCapacity(r).capacity),
      minAvailability: meanSeries(group.runs, (r) => r.series.minAvailability),
      meanAvailability: meanSeries(group.runs, (r) => availability(r).mean),
      kinds: cdfByKind(group.runs),
      shares: shareRatioHistogram(group.runs),
      peers: group.runs.flatMap((run) =>
        run.peers
          .filter((peer) => peer.role === 'leecher')
          .map((peer) => ({
            x: peer.bytesDown,
            y: peer.bytesUp,
            id: group.runs.length > 1 ? `seed ${run.seed}, peer ${peer.id}` : `peer ${peer.id}`,
            rider: peer.freeRider,
          })),
      ),
    })),
  };
}
