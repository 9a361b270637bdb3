// The page of one or several classic runs: a headline on the load balance, the per-client bars, who
// downloaded from whom, and every figure.
import type { ClassicResults } from '../results/classic.ts';
import { runLabels, servedAndDownloadedOfRuns, transferMatrix } from './chart-data.ts';
import { chartSection, escapeHtml } from './html-parts.ts';
import { classicSummaryTable } from './summary-table.ts';
import type { Page } from './swarm-page.ts';
import { fileCompletions } from './views.ts';

export function classicPage(runs: readonly ClassicResults[], colour: (i: number) => string): Page {
  const labels = runLabels(
    runs.map((r) => ({
      scenario: { input: r.input, runtime: r.runtime, strategy: r.strategy },
      seed: r.seed,
    })),
  );
  const inputs = [...new Set(runs.map((r) => r.input))].join(', ');
  // As the page's script decides (MANY_CLIENTS in classic-script.ts): bars up to 40 clients, points beyond.
  const manyClients = servedAndDownloadedOfRuns(runs).labels.length > 40;
  const top = `<p class="headline" id="headline">${escapeHtml(classicHeadline(runs, labels))}</p>`;
  const sections = [
    chartSection(
      'bars',
      'Segments served and downloaded, per client',
      manyClients
        ? 'One point per client: what it downloaded against what it served (hover for its rank).'
        : '',
    ),
    chartSection('files', 'When each client completed each file'),
    '<section><h2>Replay: files as clients complete them</h2><div id="replay"></div></section>',
    '<section><h2>Who downloaded from whom</h2><div id="matrices" class="table"></div></section>',
    `<details open><summary>Every figure of every run</summary>${classicSummaryTable(runs, labels)}</details>`,
  ].join('\n');
  return {
    title: `swarmlab classic run${runs.length > 1 ? 's' : ''}: ${inputs}`,
    top,
    sections,
    payload: classicPayload(runs, labels, colour),
  };
}

function classicHeadline(runs: readonly ClassicResults[], labels: readonly string[]): string {
  const describe = (r: ClassicResults) => {
    const lb = r.summary.loadBalance;
    const time =
      r.summary.virtualTimeS === null
        ? `${r.summary.wallTimeMs.toFixed(0)} ms of real time`
        : `${r.summary.virtualTimeS.toFixed(3)} simulated s`;
    const balance =
      lb.jain === null
        ? 'nobody served'
        : `the busiest of ${lb.servers} serving clients served ${(lb.maxOverMean ?? 1).toFixed(2)}× the mean (Jain's index ${lb.jain.toFixed(3)}; 1 is perfectly even)`;
    return `${r.summary.clients} clients downloaded ${r.summary.segmentsDownloaded} segments in ${time}; ${balance}`;
  };
  if (runs.length === 1) return `${describe(runs[0] as ClassicResults)}.`;
  const jains = runs.map((r) => r.summary.loadBalance.jain ?? 0);
  const best = jains.indexOf(Math.max(...jains));
  return `${labels[best]} spread the load most evenly (Jain's index ${(jains[best] as number).toFixed(3)}, against ${jains
    .filter((_, i) => i !== best)
    .map((j) => j.toFixed(3))
    .join(', ')}; one seed each).`;
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
      files: fileCompletions(r),
    })),
  };
}
