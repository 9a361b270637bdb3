// A report as one self-contained HTML file: the results' figures, and charts drawn in the browser by an
// inlined charting library from data computed here (chart-data.ts). Opens without network access, in
// light or dark, and overlays several runs of the same kind, one colour per run.

import type { ClassicResults } from '../results/classic.ts';
import type { ResultsSet } from '../results/read.ts';
import type { SwarmResults } from '../results/swarm.ts';
import {
  availability,
  completionCdf,
  population,
  runLabels,
  servedAndDownloadedOfRuns,
  transferMatrix,
  uploadAgainstCapacity,
  uploadDownloadScatter,
} from './chart-data.ts';
import { chartLibrarySource, chartLibraryVersion } from './chart-library.ts';
import { REPORT_SCRIPT, REPORT_STYLE } from './html-assets.ts';

export type ReportInput = ResultsSet;

/** One colour per run, distinguishable in light and dark. */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function renderReport(
  input: ReportInput,
  meta: { readonly swarmlab: string; readonly createdAt: Date },
): string {
  const labels =
    input.kind === 'classic'
      ? runLabels(
          input.runs.map((r) => ({
            scenario: { input: r.input, runtime: r.runtime, strategy: r.strategy },
            seed: r.seed,
          })),
        )
      : runLabels(input.runs.map((r) => ({ scenario: r.scenario, seed: r.seed })));
  const colour = (i: number) => PALETTE[i % PALETTE.length] as string;
  const payload =
    input.kind === 'classic'
      ? classicPayload(input.runs, labels, colour)
      : {
          kind: 'swarm',
          runs: input.runs.map((r, i) => ({
            label: labels[i],
            colour: colour(i),
            bound: r.summary.kumarRossBound,
            cdf: completionCdf(r),
            population: population(r),
            upload: uploadAgainstCapacity(r),
            availability: availability(r),
            scatter: uploadDownloadScatter(r),
          })),
        };
  const title =
    input.kind === 'classic'
      ? `swarmlab classic run${input.runs.length > 1 ? 's' : ''}: ${unique(input.runs.map((r) => r.input)).join(', ')}`
      : `swarmlab simulation${input.runs.length > 1 ? 's' : ''}: ${unique(input.runs.map((r) => r.scenario.name)).join(', ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">swarmlab ${escapeHtml(meta.swarmlab)} · Chart.js ${escapeHtml(chartLibraryVersion())} · report made ${escapeHtml(meta.createdAt.toISOString())}</p>
</header>
<main>
${input.kind === 'classic' ? classicHeader(input.runs, labels) : swarmHeader(input.runs, labels)}
${input.kind === 'classic' ? classicSections() : swarmSections()}
</main>
<script type="application/json" id="report-data">${jsonForScript(payload)}</script>
<script>${chartLibrarySource()}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function classicPayload(
  runs: readonly ClassicResults[],
  labels: readonly string[],
  colour: (i: number) => string,
) {
  const bars = servedAndDownloadedOfRuns(runs);
  return {
    kind: 'classic',
    barLabels: bars.labels,
    runs: runs.map((r, i) => ({
      label: labels[i],
      colour: colour(i),
      bars: bars.runs[i],
      matrix: transferMatrix(r),
    })),
  };
}

function classicHeader(runs: readonly ClassicResults[], labels: readonly string[]): string {
  const rows = runs.map((r, i) => {
    const s = r.summary;
    const lb = s.loadBalance;
    return [
      labels[i] ?? '',
      r.input,
      r.runtime,
      r.strategy,
      String(r.seed),
      String(s.clients),
      String(s.segmentsDownloaded),
      String(s.messages),
      // Simulated seconds and wall milliseconds are different clocks: one row each, never mixed.
      s.virtualTimeS === null ? 'n/a (real time)' : fmt(s.virtualTimeS, 3),
      fmt(s.wallTimeMs, 0),
      String(lb.servers),
      fmt(lb.maxOverMean, 2),
      fmt(lb.jain, 3),
      r.createdAt,
    ];
  });
  return table(
    [
      'run',
      'input',
      'runtime',
      'strategy',
      'seed',
      'clients',
      'segments',
      'messages',
      'simulated time (s)',
      'wall time (ms)',
      'serving clients',
      'max/mean served',
      "Jain's index",
      'run at',
    ],
    rows,
  );
}

function swarmHeader(runs: readonly SwarmResults[], labels: readonly string[]): string {
  const rows = runs.map((r, i) => {
    const s = r.summary;
    return [
      labels[i] ?? '',
      r.scenario.name,
      'sim',
      String(r.seed),
      `${r.scenario.strategy.pieces}, ${r.scenario.strategy.peers}`,
      `${s.completed} / ${s.peers}`,
      [s.p10, s.p50, s.p90, s.max].map((v) => fmt(v, 1)).join(' / '),
      fmt(s.lastCompletion, 1),
      fmt(s.kumarRossBound, 1),
      fmt(s.boundRatio, 3),
      fmt(s.uploadUtilisation, 3),
      [s.shareRatio.p10, s.shareRatio.p50, s.shareRatio.p90].map((v) => fmt(v, 2)).join(' / '),
      fmt(s.jain, 3),
      `${fmt(s.meanDownload.contributors, 1)} / ${fmt(s.meanDownload.freeRiders, 1)}`,
      r.createdAt,
    ];
  });
  return table(
    [
      'run',
      'scenario',
      'runtime',
      'seed',
      'pieces, peers',
      'completed',
      'p10 / p50 / p90 / max (s)',
      'last completion (s)',
      'Kumar-Ross bound (s)',
      'ratio',
      'upload utilisation',
      'share ratio p10 / p50 / p90',
      "Jain's index of share ratios",
      'mean download: contributors / free riders (s)',
      'run at',
    ],
    rows,
  );
}

function classicSections(): string {
  return [
    chartSection('bars', 'Segments served and downloaded, per client'),
    '<section><h2>Who downloaded from whom</h2><div id="matrices"></div></section>',
  ].join('\n');
}

function swarmSections(): string {
  return [
    chartSection('cdf', 'Completion time CDF, with the Kumar-Ross bound'),
    chartSection('population', 'Leechers and seeds over time'),
    chartSection('upload', "Aggregate upload rate against the swarm's capacity"),
    chartSection('availability', 'Minimum and mean piece availability over time'),
    chartSection('scatter', 'Per-peer upload against download'),
  ].join('\n');
}

function chartSection(id: string, heading: string): string {
  return `<section><h2>${escapeHtml(heading)}</h2><div class="chart"><canvas id="chart-${id}" data-chart="${id}"></canvas></div></section>`;
}

/** The summary with one row per figure and one column per run: it stays narrow however many figures. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const [first, ...figures] = header;
  const head = `<th>${escapeHtml(first ?? '')}</th>${rows.map((row) => `<th>${escapeHtml(row[0] ?? '')}</th>`).join('')}`;
  const body = figures
    .map(
      (figure, i) =>
        `<tr><td>${escapeHtml(figure)}</td>${rows.map((row) => `<td>${escapeHtml(row[i + 1] ?? '')}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<section><h2>Summary</h2><div class="table"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div></section>`;
}

function fmt(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** JSON that cannot close its <script> element early. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}
