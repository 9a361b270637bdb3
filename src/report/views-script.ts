// The browser side of the closer views (views.ts computes their data). Runs inside the report script's
// closure and uses its helpers: data, css, narrow, num, series, draw, eventLines, drawn.

export const VIEWS_SCRIPT = `
  // Piece availability as a heat map: a row per piece (or band of pieces), a column per sample.
  function availabilityHeatMap(heat) {
    var canvas = document.getElementById('chart-heat');
    if (!canvas || !heat || heat.cells.length === 0) return;
    var rows = heat.cells.length, cols = heat.cells[0].length;
    var box = canvas.parentElement.getBoundingClientRect();
    var left = 44, bottom = 28, top = 6, right = 8;
    canvas.width = Math.max(200, Math.floor(box.width));
    canvas.height = Math.max(160, Math.floor(box.height));
    var ctx = canvas.getContext('2d');
    var w = (canvas.width - left - right) / cols, h = (canvas.height - top - bottom) / rows;
    var fg = css.getPropertyValue('--fg').trim();
    var logMax = Math.log(Math.max(heat.maxCopies, 1) + 1);
    var painted = 0;
    heat.cells.forEach(function (row, r) {
      row.forEach(function (copies, c) {
        // No copy among the peers present: red. Otherwise blue, darker with more copies (log scale).
        ctx.fillStyle = copies === 0 ? '#d62728'
          : 'rgba(31,119,180,' + (0.15 + 0.85 * Math.log(copies + 1) / logMax).toFixed(3) + ')';
        ctx.fillRect(left + c * w, top + r * h, Math.ceil(w), Math.ceil(h));
        painted++;
      });
    });
    ctx.fillStyle = fg;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText('piece 0', 2, top + 10);
    ctx.fillText(String(heat.pieceRanges[rows - 1][1]), 2, canvas.height - bottom);
    [0, Math.floor(cols / 2), cols - 1].forEach(function (c) {
      ctx.fillText(num(heat.timeS[c]) + ' s', Math.min(left + c * w, canvas.width - 50), canvas.height - 10);
    });
    canvas.dataset.points = String(painted);
    drawn++;
  }
  // Each peer's life: downloading from arrival to completion, then seeding until it leaves.
  function peerTimelines(lines, events) {
    var downloading = [], seeding = [], never = [];
    lines.forEach(function (p, i) {
      var id = 'peer ' + p.id + (p.freeRider ? ' (free rider)' : '');
      if (p.doneS === null) {
        never.push({ x: p.arrivalS, y: i, id: id }, { x: p.goneS, y: i, id: id }, { x: p.goneS, y: null });
      } else {
        downloading.push({ x: p.arrivalS, y: i, id: id }, { x: p.doneS, y: i, id: id }, { x: p.doneS, y: null });
        seeding.push({ x: p.doneS, y: i, id: id }, { x: p.goneS, y: i, id: id }, { x: p.goneS, y: null });
      }
    });
    var thin = { borderWidth: lines.length > 100 ? 1 : 2, spanGaps: false };
    var sets = [series('downloading', '#1f77b4', downloading, thin), series('seeding', '#2ca02c', seeding, thin)];
    if (never.length > 0) sets.push(series('never completed', '#d62728', never, thin));
    draw('timelines', sets, { title: 'virtual time (s)', unit: 's' },
      { title: 'peers, by arrival', unit: '', scale: { ticks: { display: false } } }, { events: events });
  }
  // Download-time CDFs per kind of peer (its group; free riders apart), one colour per configuration.
  function kindCdfs() {
    var dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
    var sets = [];
    data.groups.forEach(function (g) {
      g.kinds.forEach(function (k, i) {
        var name = (data.groups.length > 1 ? g.label + ': ' : '') + k.kind;
        sets.push(series(name, g.colour, points(k.x, k.y), { stepped: true, borderDash: dashes[i % dashes.length] }));
      });
    });
    draw('kinds', sets, { title: 'download time (s)', unit: 's' }, { title: 'fraction of the kind done', unit: '', scale: { min: 0, max: 1 } });
  }
  // Share ratios of contributing peers, one bar series per configuration.
  function shareHistogram() {
    var canvas = document.getElementById('chart-shares');
    if (!canvas) return;
    var longest = data.groups.reduce(function (a, g) { return g.shares.edges.length > a.length ? g.shares.edges : a; }, []);
    var labels = longest.map(function (e, i) { return i === 30 ? '3.0+' : e.toFixed(1); });
    var sets = data.groups.map(function (g) {
      return { label: data.groups.length > 1 ? g.label : 'peers', data: g.shares.counts, backgroundColor: g.colour + 'cc' };
    });
    canvas.dataset.points = String(sets.reduce(function (n, d) { return n + d.data.length; }, 0));
    new Chart(canvas, { type: 'bar', data: { labels: labels, datasets: sets },
      options: { responsive: true, maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom', labels: { boxWidth: narrow ? 10 : 24 } },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ': ' + ctx.raw + ' peers gave back ' + ctx.label + '×'; } } } },
        scales: { x: { title: { display: true, text: 'share ratio (uploaded / downloaded), bins of 0.1' } },
          y: { beginAtZero: true, title: { display: true, text: 'peers' } } } } });
    drawn++;
  }
  function swarmViews() {
    availabilityHeatMap(data.heat);
    peerTimelines(data.timelines, data.events);
    if (document.getElementById('chart-kinds')) kindCdfs();
    shareHistogram();
  }
  // Classic runs: when each client completed each of its files.
  function fileTimeline() {
    var sets = data.runs.map(function (run) {
      var pts = run.files.points.map(function (p) { return { x: p.at, y: p.rank, id: 'client ' + p.rank + ', ' + p.file }; });
      return series(data.runs.length > 1 ? run.label : 'file completed', run.colour, pts, { showLine: false, pointRadius: 4 });
    });
    var unit = data.runs[0].files.unit;
    draw('files', sets, { title: unit === 's' ? 'simulated time (s)' : 'wall time (ms)', unit: unit },
      { title: 'client', unit: '', scale: { ticks: { precision: 0 } } });
  }
  // A step-through replay of the first run, for teaching: each step is one file a client completed, in
  // time order; the grid shows every client's wanted files, filled in as they complete.
  function replay() {
    var host = document.getElementById('replay');
    if (!host) return;
    var run = data.runs[0];
    var steps = run.files.points.slice().sort(function (a, b) { return a.at - b.at || a.rank - b.rank; });
    var files = Array.from(new Set(steps.map(function (p) { return p.file; }))).sort();
    var ranks = Array.from(new Set(steps.map(function (p) { return p.rank; }))).sort(function (a, b) { return a - b; });
    var canvas = document.createElement('canvas');
    canvas.className = 'heat';
    canvas.dataset.chart = 'replay';
    // Clients across and files down when there are more clients than files (a wide strip), else the other way.
    var across = ranks.length > files.length;
    var cols = across ? ranks.length : files.length, rows = across ? files.length : ranks.length;
    var cw = across ? Math.max(4, Math.min(20, Math.floor(800 / cols))) : 20, ch = 20;
    canvas.width = cols * cw; canvas.height = rows * ch;
    canvas.style.maxWidth = Math.min(800, canvas.width * 2) + 'px';
    function cell(p) {
      var f = files.indexOf(p.file), r = ranks.indexOf(p.rank);
      var x = across ? r : f, y = across ? f : r;
      return [x * cw + (cw > 6 ? 1 : 0), y * ch + 1, cw > 6 ? cw - 2 : cw - 1, ch - 2];
    }
    var slider = document.createElement('input');
    slider.type = 'range'; slider.min = '0'; slider.max = String(steps.length); slider.value = String(steps.length);
    slider.setAttribute('aria-label', 'replay step');
    slider.style.width = '100%';
    var say = document.createElement('p');
    say.className = 'note';
    var prev = document.createElement('button'), next = document.createElement('button');
    prev.textContent = '◀ step'; next.textContent = 'step ▶';
    var ctx = canvas.getContext('2d');
    function show(k) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = css.getPropertyValue('--grid').trim();
      steps.forEach(function (p) { ctx.fillRect.apply(ctx, cell(p)); });
      ctx.fillStyle = run.colour;
      steps.slice(0, k).forEach(function (p) { ctx.fillRect.apply(ctx, cell(p)); });
      var last = steps[k - 1];
      say.textContent = k === 0 ? 'Step 0 of ' + steps.length + ': nobody has completed a wanted file yet.'
        : 'Step ' + k + ' of ' + steps.length + ': at ' + num(last.at) + ' ' + run.files.unit + ', client ' + last.rank +
          ' completed ' + last.file + '.';
      slider.value = String(k);
    }
    slider.addEventListener('input', function () { show(Number(slider.value)); });
    prev.addEventListener('click', function () { show(Math.max(0, Number(slider.value) - 1)); });
    next.addEventListener('click', function () { show(Math.min(steps.length, Number(slider.value) + 1)); });
    var legend = document.createElement('p');
    legend.className = 'note';
    var clientsText = 'clients ' + ranks[0] + '–' + ranks[ranks.length - 1] + ' (those that wanted a file)';
    var filesText = 'files ' + files.join(', ');
    legend.textContent = (data.runs.length > 1 ? run.label + ': ' : '') + 'rows: ' + (across ? filesText : clientsText) +
      '; columns: ' + (across ? clientsText : filesText) + '. Grey: wanted, not yet complete.';
    host.appendChild(legend); host.appendChild(canvas); host.appendChild(slider);
    var buttons = document.createElement('p');
    buttons.appendChild(prev); buttons.appendChild(document.createTextNode(' ')); buttons.appendChild(next);
    host.appendChild(buttons); host.appendChild(say);
    canvas.dataset.points = String(steps.length);
    show(steps.length);
    drawn++;
  }
`;
