// A report as one self-contained HTML file: the answer first, then charts drawn in the browser by an
// inlined charting library from data computed here, then every figure. Opens without network access,
// in light or dark, at a phone's width or a desktop's.
import type { ResultsSet } from '../results/read.ts';
import { chartLibrarySource, chartLibraryVersion } from './chart-library.ts';
import { classicPage } from './classic-page.ts';
import { REPORT_SCRIPT } from './html-assets.ts';
import { escapeHtml, jsonForScript } from './html-parts.ts';
import { REPORT_STYLE } from './html-style.ts';
import { swarmPage } from './swarm-page.ts';

export { escapeHtml } from './html-parts.ts';

export type ReportInput = ResultsSet;

/** One colour per configuration, distinguishable in light and dark. */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export function renderReport(
  input: ReportInput,
  meta: { readonly swarmlab: string; readonly createdAt: Date },
): string {
  const colour = (i: number) => PALETTE[i % PALETTE.length] as string;
  const page = input.kind === 'classic' ? classicPage(input.runs, colour) : swarmPage(input.runs, colour);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(page.title)}</h1>
${page.top}
<p class="meta">swarmlab ${escapeHtml(meta.swarmlab)} · Chart.js ${escapeHtml(chartLibraryVersion())} · report made ${escapeHtml(meta.createdAt.toISOString())}</p>
</header>
<main>
${page.sections}
</main>
<script type="application/json" id="report-data">${jsonForScript(page.payload)}</script>
<script>${chartLibrarySource()}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}
