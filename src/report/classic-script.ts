// The browser side of a classic run's page: bars per client, and who downloaded from whom (a table up to
// 24 clients, a sorted canvas heat map beyond). Runs inside the report script's closure (html-assets.ts).

export const CLASSIC_SCRIPT = `
  function classic() {
    if (data.barLabels.length > MANY_CLIENTS) clientScatter(); else clientBars();
    var host = document.getElementById('matrices');
    data.runs.forEach(function (run) {
      host.appendChild(run.matrix.length > 24 ? heatMap(run) : matrixTable(run));
    });
  }
  // Beyond this many clients, bars are too thin to read: each client becomes a point instead.
  var MANY_CLIENTS = 40;
  function clientBars() {
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
  }
  function clientScatter() {
    var sets = data.runs.map(function (run) {
      var pts = [];
      data.barLabels.forEach(function (label, i) {
        if (run.bars.served[i] === null) return;
        pts.push({ x: run.bars.downloaded[i], y: run.bars.served[i], id: label });
      });
      return series(data.runs.length > 1 ? run.label : 'clients', run.colour, pts, { showLine: false, pointRadius: 3 });
    });
    draw('bars', sets, { title: 'segments downloaded', unit: 'segments' }, { title: 'segments served', unit: 'segments' });
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
`;
