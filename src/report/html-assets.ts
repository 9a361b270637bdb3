// The report page's style and its drawing script, kept apart from the page builder. The script runs in
// the browser: it reads the data the page carries and draws each chart with the inlined Chart.js.
import { VIEWS_SCRIPT } from './views-script.ts';

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

export const REPORT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var css = getComputedStyle(document.documentElement);
  Chart.defaults.color = css.getPropertyValue('--fg').trim();
  Chart.defaults.borderColor = css.getPropertyValue('--grid').trim();
  Chart.defaults.animation = false;
  var narrow = window.matchMedia('(max-width: 600px)').matches;
  var drawn = 0;
  function num(v) {
    if (typeof v !== 'number' || !isFinite(v)) return String(v);
    return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : Number(v.toPrecision(3)).toString();
  }
  function points(xs, ys, map) {
    return xs.map(function (x, i) { var y = ys[i]; return map ? map(x, y) : { x: x, y: y }; });
  }
  // One dataset; 'tip' names it in tooltips, 'label' (when inLegend) in the legend.
  function series(tip, colour, pts, options) {
    return Object.assign({ label: tip, tip: tip, inLegend: true, data: pts, borderColor: colour,
      backgroundColor: colour, pointRadius: 0, borderWidth: 2, showLine: true, fill: false }, options || {});
  }
  // A group's mean line, with its 95% band (two more datasets, kept out of legend and tooltips).
  function banded(group, what, primary, b, scale, options) {
    var f = scale || function (v) { return v; };
    var several = data.groups.length > 1;
    var sets = [series(several ? group.label + ': ' + what : what, group.colour,
      points(b.x, b.mean.map(f)), Object.assign({ label: several ? group.label : what,
        inLegend: !several || primary }, options || {}))];
    if (b.lo && b.hi) {
      sets.push(series('', group.colour, points(b.x, b.lo.map(f)), { band: true, inLegend: false, borderWidth: 0 }));
      sets.push(series('', group.colour, points(b.x, b.hi.map(f)),
        { band: true, inLegend: false, borderWidth: 0, fill: '-1', backgroundColor: group.colour + '33' }));
    }
    return sets;
  }
  // Vertical marks for events on a time axis (the initial seeds leaving).
  var eventLines = {
    id: 'eventLines',
    afterDatasetsDraw: function (chart, _args, options) {
      var lines = (options && options.lines) || [];
      var ctx = chart.ctx, area = chart.chartArea, x = chart.scales.x;
      lines.forEach(function (line) {
        var px = x.getPixelForValue(line.x);
        if (px < area.left || px > area.right) return;
        ctx.save();
        ctx.strokeStyle = css.getPropertyValue('--muted').trim();
        ctx.setLineDash([3, 3]);
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.fillStyle = ctx.strokeStyle;
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText(line.label, Math.min(px + 4, area.right - 90), area.top + 12);
        ctx.restore();
      });
    }
  };
  function draw(id, datasets, xAxis, yAxis, opts) {
    var canvas = document.getElementById('chart-' + id);
    if (!canvas) return;
    opts = opts || {};
    var count = datasets.reduce(function (n, d) { return n + (d.band ? 0 : d.data.length); }, 0);
    canvas.dataset.points = String(count);
    new Chart(canvas, {
      type: 'scatter',
      data: { datasets: datasets },
      plugins: [eventLines],
      options: {
        responsive: true, maintainAspectRatio: false, parsing: false,
        plugins: {
          eventLines: { lines: opts.events || [] },
          legend: { position: 'bottom', labels: { boxWidth: narrow ? 10 : 24, font: { size: narrow ? 10 : 12 },
            filter: function (item, chartData) { return chartData.datasets[item.datasetIndex].inLegend; } } },
          tooltip: {
            filter: function (item) { return !item.dataset.band; },
            callbacks: { label: function (ctx) {
              var raw = ctx.raw;
              var y = raw.v !== undefined ? raw.v : raw.y;
              return (raw.id ? raw.id + ' (' + ctx.dataset.tip + ')' : ctx.dataset.tip) + ': ' +
                num(raw.x) + ' ' + xAxis.unit + ', ' + num(y) + ' ' + yAxis.unit;
            } }
          }
        },
        scales: {
          x: Object.assign({ type: 'linear', beginAtZero: true, title: { display: true, text: xAxis.title } }, xAxis.scale || {}),
          y: Object.assign({ beginAtZero: true, title: { display: true, text: yAxis.title } }, yAxis.scale || {})
        }
      }
    });
    drawn++;
  }
  function swarm() {
    var cdf = [], pop = [], up = [], av = [], sc = [];
    var mbit = function (v) { return v * 8 / 1e6; };
    var mb = function (v) { return v / 1e6; };
    // Log axis for copies of a piece (they span decades); 0 copies is drawn at 0.5, labelled 0.
    var copies = function (x, y) { return { x: x, y: Math.max(y, 0.5), v: y }; };
    data.groups.forEach(function (g) {
      banded(g, 'peers done', true, g.cdf, null, { stepped: true }).forEach(function (d) { cdf.push(d); });
      var mark = g.mark;
      if (mark) cdf.push(series(mark.label, g.colour, [{ x: mark.x, y: 0 }, { x: mark.x, y: 1 }],
        { borderDash: [6, 4], borderWidth: 1, inLegend: data.groups.length === 1 }));
      banded(g, 'leechers', true, g.leechers).concat(banded(g, 'seeds', false, g.seedsPresent, null, { borderDash: [6, 4] }))
        .forEach(function (d) { pop.push(d); });
      banded(g, 'upload rate', true, g.upload, mbit).concat(banded(g, 'capacity', false, g.capacity, mbit, { borderDash: [6, 4] }))
        .forEach(function (d) { up.push(d); });
      av.push(series(data.groups.length > 1 ? g.label + ': minimum' : 'minimum', g.colour,
        points(g.minAvailability.x, g.minAvailability.mean, copies), { label: data.groups.length > 1 ? g.label : 'minimum', stepped: true }));
      av.push(series(data.groups.length > 1 ? g.label + ': mean' : 'mean', g.colour,
        points(g.meanAvailability.x, g.meanAvailability.mean, copies), { borderDash: [6, 4], inLegend: data.groups.length === 1 }));
      var peers = g.peers.filter(function (p) { return !p.rider; }).map(function (p) { return { x: mb(p.x), y: mb(p.y), id: p.id }; });
      var riders = g.peers.filter(function (p) { return p.rider; }).map(function (p) { return { x: mb(p.x), y: mb(p.y), id: p.id }; });
      sc.push(series(data.groups.length > 1 ? g.label : 'peers', g.colour, peers, { showLine: false, pointRadius: 3 }));
      if (riders.length > 0) sc.push(series('free riders', g.colour, riders,
        { showLine: false, pointRadius: 4, pointStyle: 'crossRot', inLegend: data.groups.length === 1 }));
    });
    if (data.sharedMark) cdf.push(series(data.sharedMark.label, css.getPropertyValue('--muted').trim(),
      [{ x: data.sharedMark.x, y: 0 }, { x: data.sharedMark.x, y: 1 }], { borderDash: [6, 4], borderWidth: 1.5 }));
    var t = { title: 'virtual time (s)', unit: 's' };
    draw('cdf', cdf, { title: 'download time (s)', unit: 's' }, { title: 'fraction of peers done', unit: '', scale: { min: 0, max: 1 } });
    draw('population', pop, t, { title: 'peers', unit: 'peers' }, { events: data.events });
    draw('upload', up, t, { title: 'Mbit/s', unit: 'Mbit/s' }, { events: data.events });
    draw('availability', av, t, { title: 'copies of a piece', unit: 'copies', scale: { type: 'logarithmic', min: 0.5,
      ticks: { callback: function (v) { return v === 0.5 ? '0' : (Math.log10(v) % 1 === 0 || v === 2 || v === 5 ? num(v) : ''); } } } },
      { events: data.events });
    draw('scatter', sc, { title: 'downloaded (MB)', unit: 'MB' }, { title: 'uploaded (MB)', unit: 'MB' });
  }
  function classic() {
    // Every client of any run: runs of different sizes are drawn whole.
    var labels = data.barLabels;
    var several = data.runs.length > 1;
    var bars = [];
    data.runs.forEach(function (run) {
      bars.push({ label: several ? run.label + ': served' : 'served', data: run.bars.served, backgroundColor: run.colour });
      bars.push({ label: several ? run.label + ': downloaded' : 'downloaded', data: run.bars.downloaded, backgroundColor: run.colour + '88' });
    });
    var canvas = document.getElementById('chart-bars');
    canvas.dataset.points = String(bars.reduce(function (n, d) { return n + d.data.length; }, 0));
    new Chart(canvas, { type: 'bar', data: { labels: labels, datasets: bars },
      options: { responsive: true, maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom', labels: { boxWidth: narrow ? 10 : 24 } } },
        scales: { y: { beginAtZero: true, title: { display: true, text: 'segments' } } } } });
    drawn++;
    var host = document.getElementById('matrices');
    data.runs.forEach(function (run) {
      host.appendChild(run.matrix.length > 24 ? heatMap(run) : matrixTable(run));
    });
  }
  function matrixTable(run) {
    var max = Math.max.apply(null, [1].concat(run.matrix.map(function (r) { return Math.max.apply(null, r); })));
    var table = document.createElement('table');
    table.className = 'matrix';
    var caption = table.createCaption();
    caption.textContent = (data.runs.length > 1 ? run.label + ': ' : '') + 'row: downloader, column: uploader (segments)';
    var head = table.insertRow();
    head.insertCell().textContent = '';
    run.matrix.forEach(function (_, j) { head.insertCell().textContent = String(j + 1); });
    run.matrix.forEach(function (row, i) {
      var tr = table.insertRow();
      tr.insertCell().textContent = 'client ' + (i + 1);
      row.forEach(function (v) {
        var td = tr.insertCell();
        td.textContent = v === 0 ? '' : String(v);
        td.style.background = v === 0 ? 'transparent' : run.colour + Math.round(40 + 180 * v / max).toString(16).padStart(2, '0');
      });
    });
    return table;
  }
  // Many clients: a canvas heat map, rows and columns sorted by segments moved, and the top pairs listed.
  function heatMap(run) {
    var n = run.matrix.length;
    var wrap = document.createElement('div');
    var note = document.createElement('p');
    note.className = 'note';
    note.textContent = (data.runs.length > 1 ? run.label + ': ' : '') + 'row: downloader, column: uploader, darker: more segments; ' +
      'rows sorted by segments downloaded, columns by segments served.';
    var rowsum = run.matrix.map(function (r) { return r.reduce(function (a, b) { return a + b; }, 0); });
    var colsum = run.matrix[0].map(function (_, j) { return run.matrix.reduce(function (a, r) { return a + r[j]; }, 0); });
    var rows = rowsum.map(function (_, i) { return i; }).sort(function (a, b) { return rowsum[b] - rowsum[a]; });
    var cols = colsum.map(function (_, j) { return j; }).sort(function (a, b) { return colsum[b] - colsum[a]; });
    var canvas = document.createElement('canvas');
    canvas.className = 'heat';
    canvas.width = n; canvas.height = n;
    canvas.dataset.chart = 'heat';
    var ctx = canvas.getContext('2d');
    var max = Math.max.apply(null, [1].concat(rowsum.map(function (_, i) { return Math.max.apply(null, run.matrix[i]); })));
    var pairs = [];
    rows.forEach(function (i, y) {
      cols.forEach(function (j, x) {
        var v = run.matrix[i][j];
        if (v === 0) return;
        pairs.push([v, i + 1, j + 1]);
        // Log scale: a few busy pairs would otherwise wash out the rest.
        ctx.fillStyle = run.colour + Math.round(60 + 195 * Math.log(1 + v) / Math.log(1 + max)).toString(16).padStart(2, '0');
        ctx.fillRect(x, y, 1, 1);
      });
    });
    canvas.dataset.points = String(pairs.length);
    canvas.style.maxWidth = Math.max(240, Math.min(720, n * 4)) + 'px';
    pairs.sort(function (a, b) { return b[0] - a[0]; });
    var list = document.createElement('p');
    list.className = 'note';
    list.textContent = 'Top pairs: ' + pairs.slice(0, 10).map(function (p) {
      return 'client ' + p[1] + ' from client ' + p[2] + ' (' + p[0] + ')';
    }).join(', ') + '.';
    wrap.appendChild(note); wrap.appendChild(canvas); wrap.appendChild(list);
    drawn++;
    return wrap;
  }
${VIEWS_SCRIPT}
  if (data.kind === 'swarm') { swarm(); swarmViews(); } else { classic(); fileTimeline(); replay(); }
  window.__swarmlabReport = { charts: drawn };
})();
`;
