// The report page's style and its drawing script, kept apart from the page builder. The script runs in
// the browser: it reads the data the page carries and draws each chart with the inlined Chart.js.

export const REPORT_STYLE = `
:root { --bg: #ffffff; --fg: #1d2330; --muted: #5b6475; --grid: rgba(0,0,0,0.12); --card: #f5f7fa; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --fg: #e6e9ef; --muted: #9aa3b2; --grid: rgba(255,255,255,0.14); --card: #1d2129; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
.meta { color: var(--muted); margin: 0 0 1.25rem; }
section { background: var(--card); border-radius: 8px; padding: 1rem 1.25rem; margin: 0 0 1.25rem; }
.chart { position: relative; height: 340px; }
.table { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .6rem; text-align: right; border-bottom: 1px solid var(--grid); white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; }
th:first-child, td:first-child { text-align: left; }
.matrix td { min-width: 2.2rem; text-align: center; }
.matrix caption { text-align: left; color: var(--muted); padding: .25rem 0; }
`;

export const REPORT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var css = getComputedStyle(document.documentElement);
  Chart.defaults.color = css.getPropertyValue('--fg').trim();
  Chart.defaults.borderColor = css.getPropertyValue('--grid').trim();
  Chart.defaults.animation = false;
  var drawn = 0;

  function points(xs, ys) {
    return xs.map(function (x, i) { return { x: x, y: ys[i] }; });
  }
  function series(label, colour, data, options) {
    return Object.assign({ label: label, data: data, borderColor: colour, backgroundColor: colour,
      pointRadius: 0, borderWidth: 2, showLine: true, fill: false }, options || {});
  }
  function draw(id, type, datasets, xTitle, yTitle, extra) {
    var canvas = document.getElementById('chart-' + id);
    if (!canvas) return;
    var count = datasets.reduce(function (n, d) { return n + d.data.length; }, 0);
    canvas.dataset.points = String(count);
    new Chart(canvas, Object.assign({
      type: type,
      data: { datasets: datasets },
      options: Object.assign({
        responsive: true, maintainAspectRatio: false, parsing: type === 'bar',
        plugins: { legend: { position: 'bottom' } },
        scales: {
          x: { type: type === 'bar' ? 'category' : 'linear', title: { display: true, text: xTitle } },
          y: { beginAtZero: true, title: { display: true, text: yTitle } }
        }
      }, extra || {})
    }));
    drawn++;
  }
  function several() { return data.runs.length > 1; }
  function name(run, what) { return several() ? run.label + ': ' + what : what; }

  if (data.kind === 'swarm') {
    var cdf = [], pop = [], up = [], av = [], sc = [];
    data.runs.forEach(function (run) {
      cdf.push(series(name(run, 'peers done'), run.colour, points(run.cdf.x, run.cdf.y), { stepped: true }));
      cdf.push(series(name(run, 'Kumar-Ross bound'), run.colour, [{ x: run.bound, y: 0 }, { x: run.bound, y: 1 }],
        { borderDash: [6, 4], borderWidth: 1 }));
      pop.push(series(name(run, 'leechers'), run.colour, points(run.population.x, run.population.leechers)));
      pop.push(series(name(run, 'seeds'), run.colour, points(run.population.x, run.population.seeds), { borderDash: [6, 4] }));
      var mbit = function (v) { return v * 8 / 1e6; };
      up.push(series(name(run, 'upload rate'), run.colour, points(run.upload.x, run.upload.rate.map(mbit))));
      up.push(series(name(run, 'capacity'), run.colour, points(run.upload.x, run.upload.capacity.map(mbit)), { borderDash: [6, 4] }));
      av.push(series(name(run, 'minimum'), run.colour, points(run.availability.x, run.availability.min)));
      av.push(series(name(run, 'mean'), run.colour, points(run.availability.x, run.availability.mean), { borderDash: [6, 4] }));
      var mb = function (v) { return v / 1e6; };
      var contributors = [], riders = [];
      run.scatter.up.forEach(function (u, i) {
        (run.scatter.freeRider[i] ? riders : contributors).push({ x: mb(run.scatter.down[i]), y: mb(u) });
      });
      sc.push(series(name(run, 'peers'), run.colour, contributors, { showLine: false, pointRadius: 3 }));
      if (riders.length > 0) {
        sc.push(series(name(run, 'free riders'), run.colour, riders, { showLine: false, pointRadius: 4, pointStyle: 'crossRot' }));
      }
    });
    draw('cdf', 'scatter', cdf, 'download time (s)', 'fraction of peers done',
      { scales: { x: { type: 'linear', title: { display: true, text: 'download time (s)' } },
        y: { min: 0, max: 1, title: { display: true, text: 'fraction of peers done' } } } });
    draw('population', 'scatter', pop, 'virtual time (s)', 'peers');
    draw('upload', 'scatter', up, 'virtual time (s)', 'Mbit/s');
    draw('availability', 'scatter', av, 'virtual time (s)', 'copies of a piece');
    draw('scatter', 'scatter', sc, 'downloaded (MB)', 'uploaded (MB)');
  } else {
    // Every client of any run: runs of different sizes are drawn whole.
    var labels = data.barLabels;
    var bars = [];
    data.runs.forEach(function (run) {
      bars.push({ label: name(run, 'served'), data: run.bars.served, backgroundColor: run.colour });
      bars.push({ label: name(run, 'downloaded'), data: run.bars.downloaded, backgroundColor: run.colour + '88' });
    });
    var canvas = document.getElementById('chart-bars');
    canvas.dataset.points = String(bars.reduce(function (n, d) { return n + d.data.length; }, 0));
    new Chart(canvas, { type: 'bar', data: { labels: labels, datasets: bars },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } },
        scales: { y: { beginAtZero: true, title: { display: true, text: 'segments' } } } } });
    drawn++;
    var host = document.getElementById('matrices');
    data.runs.forEach(function (run) {
      var max = Math.max.apply(null, [1].concat(run.matrix.map(function (r) { return Math.max.apply(null, r); })));
      var table = document.createElement('table');
      table.className = 'matrix';
      var caption = table.createCaption();
      caption.textContent = (several() ? run.label + ': ' : '') + 'row: downloader, column: uploader (segments)';
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
      host.appendChild(table);
    });
  }
  window.__swarmlabReport = { charts: drawn };
})();
`;
