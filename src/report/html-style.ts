// The report page's style: light and dark, a phone's width (the comparison stacks), and print.

export const REPORT_STYLE = `
:root { --bg: #ffffff; --fg: #1d2330; --muted: #5b6475; --grid: rgba(0,0,0,0.12); --card: #f5f7fa; --accent: #e8f0fb; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --fg: #e6e9ef; --muted: #9aa3b2; --grid: rgba(255,255,255,0.14); --card: #1d2129; --accent: #1c2636; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
.headline { font-size: 1.15rem; font-weight: 600; background: var(--accent); border-radius: 8px;
  padding: .75rem 1rem; margin: 0 0 .75rem; }
.theory, .note { color: var(--muted); margin: 0 0 .75rem; }
.meta { color: var(--muted); margin: 0 0 1.25rem; font-size: .85rem; overflow-wrap: anywhere; }
section, details { background: var(--card); border-radius: 8px; padding: 1rem 1.25rem; margin: 0 0 1.25rem; }
summary { cursor: pointer; font-weight: 600; }
.chart { position: relative; height: 340px; }
.table { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .6rem; text-align: right; border-bottom: 1px solid var(--grid); white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; }
th:first-child, td:first-child { text-align: left; white-space: normal; min-width: 7rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0; }
code { font-size: .85rem; overflow-wrap: anywhere; }
/* A difference and its interval may wrap, so that the comparison fits a laptop's width. */
table.comparison td { white-space: normal; }
.matrix td { min-width: 2.2rem; text-align: center; }
.matrix caption { text-align: left; color: var(--muted); padding: .25rem 0; }
canvas.heat { width: 100%; image-rendering: pixelated; }
@media (max-width: 600px) {
  body { padding: .75rem; font-size: 14px; }
  section, details { padding: .75rem; }
  .chart { height: 300px; }
  th, td { padding: .25rem .35rem; }
  /* The comparison stacks: one block per configuration, each figure on a line under its name. */
  table.comparison thead { display: none; }
  table.comparison tr { display: block; padding: .4rem 0; border-bottom: 1px solid var(--grid); }
  table.comparison td { display: flex; justify-content: space-between; gap: .75rem; border: 0;
    white-space: normal; text-align: right; min-width: 0; }
  table.comparison td::before { content: attr(data-label); color: var(--muted); text-align: left; }
  table.comparison td:first-child { font-weight: 600; }
}
@media print {
  body { padding: 0; }
  section, details { break-inside: avoid; background: none; border: 1px solid #ccc; }
  details > summary { display: none; }
}
`;
