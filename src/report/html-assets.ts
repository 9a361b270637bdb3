// The report page's drawing script, kept apart from the page builder. It runs in the browser: it reads
// the data the page carries and draws each chart with the inlined Chart.js.
import { CLASSIC_SCRIPT } from './classic-script.ts';
import { VIEWS_SCRIPT } from './views-script.ts';

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
        // Parsed, not taken as is: unparsed data is assumed sorted by x, and scatter points and peer
        // timelines are not, which cut the axes to the first and last points.
        responsive: true, maintainAspectRatio: false,
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
${CLASSIC_SCRIPT}
${VIEWS_SCRIPT}
  if (data.kind === 'swarm') { swarm(); swarmViews(); } else { classic(); fileTimeline(); replay(); }
  window.__swarmlabReport = { charts: drawn };
})();
`;
