/// <reference lib="dom" />
// Reports opened in a real browser: headless Chromium (Debian's `chromium`, which .ci/run installs)
// driven by playwright-core. Each chart must render with data, with no console error and no network
// request; a screenshot of each report lands in test-output/ for people to look at.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSwarmScenario } from '../../src/bittorrent/scenario/scenario-file.ts';
import { simulateSwarm } from '../../src/bittorrent/sim/simulation.ts';
import { generateClassic } from '../../src/classic/input/generate.ts';
import { readClassicScenario } from '../../src/classic/input/in-dir.ts';
import { runSim } from '../../src/classic/sim/runtime.ts';
import { type ReportInput, renderReport } from '../../src/report/html.ts';
import { toClassicResults } from '../../src/results/classic.ts';
import { summarize } from '../../src/results/classic-summary.ts';
import { toSwarmResults } from '../../src/results/swarm.ts';
import { runBound, summarizeSwarm } from '../../src/results/swarm-summary.ts';
import { flashCrowd } from '../support/swarm-scenarios.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = 'test-output/reports';
const meta = { swarmlab: 'test', createdAt: new Date(0) };

/** The flags a root, offline, sandboxed machine needs (see the environment notes in DEVELOPERS.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser: Browser;

/** The charts every simulation report draws (a report of several kinds of peer adds `kinds`). */
const EVERY_SWARM_CHART = [
  'cdf',
  'population',
  'upload',
  'availability',
  'scatter',
  'shares',
  'heat',
  'timelines',
];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests cannot run. ` +
        '.ci/run installs it (apt-get install chromium); locally, install it the same way.',
    );
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  await mkdir(OUTPUT, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

async function classicInput(): Promise<ReportInput> {
  const { scenario } = await readClassicScenario('examples/basic');
  const result = runSim(scenario, { seed: 1, strategy: 'random' });
  return {
    kind: 'classic',
    runs: [
      toClassicResults(result, summarize(result), {
        input: 'examples/basic',
        swarmlab: 'test',
        createdAt: new Date(0),
      }),
    ],
  };
}

function swarmRun(pieces: 'rarest-first' | 'random', seed = 1) {
  const scenario = flashCrowd({ peers: 15, pieces, freeRiders: 0.2, stopAtS: 20_000 });
  const run = simulateSwarm(scenario, { seed });
  const bound = runBound(run);
  return toSwarmResults(run, summarizeSwarm(run, bound), bound, {
    source: 'test',
    overrides: [`strategy.pieces=${pieces}`],
    swarmlab: 'test',
    createdAt: new Date(0),
  });
}

/** Opens a report, checks every chart drew data, and saves a screenshot. */
async function openReport(
  name: string,
  input: ReportInput,
  colorScheme: 'light' | 'dark' = 'light',
  width = 1200,
) {
  const path = join(OUTPUT, `${name}.html`);
  await writeFile(path, renderReport(input, meta));
  const page = await browser.newPage({ colorScheme, viewport: { width, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) requests.push(request.url());
  });
  await page.goto(pathToFileURL(path).href);
  await page.waitForFunction(
    () => (window as unknown as { __swarmlabReport?: unknown }).__swarmlabReport !== undefined,
  );
  const charts = await page.$$eval('canvas[data-chart]', (canvases) =>
    canvases.map((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const pixels =
        c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] as number) > 0) painted++;
      // Points of a chart that fall outside its x axis (a chart cut short of its data).
      type Scale = { min: number; max: number; type: string };
      type ChartLike = { scales: { x?: Scale }; data: { datasets: { band?: boolean; data: unknown[] }[] } };
      const chart = (
        window as unknown as { Chart: { getChart(c: unknown): ChartLike | undefined } }
      ).Chart.getChart(c);
      const x = chart?.scales.x;
      let outside = 0;
      if (x !== undefined && x.type === 'linear') {
        for (const dataset of chart?.data.datasets ?? []) {
          for (const point of dataset.data as { x?: number; y?: number | null }[]) {
            if (typeof point?.x !== 'number' || point.y === null) continue;
            if (point.x < x.min - 1e-9 || point.x > x.max + 1e-9) outside++;
          }
        }
      }
      return { id: c.dataset.chart, points: Number(c.dataset.points ?? 0), painted, outside };
    }),
  );
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const layout = await page.evaluate(() => {
    const headline = document.getElementById('headline');
    const box = headline?.getBoundingClientRect();
    return {
      // Wider than the viewport means the page scrolls sideways.
      pageWidth: document.documentElement.scrollWidth,
      headline: headline?.textContent ?? '',
      headlineBottom: box === undefined ? Number.POSITIVE_INFINITY : box.bottom,
      // Every element that sticks out past the right edge (scroll containers clip their content).
      overflowing: Array.from(document.querySelectorAll('body *'))
        .filter((el) => {
          const r = el.getBoundingClientRect();
          const clipped = el.closest('.table') !== null && !el.classList.contains('table');
          return !clipped && r.width > 0 && r.right > document.documentElement.clientWidth + 1;
        })
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    };
  });
  await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
  await page.close();
  return { charts, problems, requests, background, ...layout };
}

describe('HTML reports in Chromium', () => {
  it('draws the classic run: bars with data and the transfer matrix', async () => {
    const { charts, problems, requests } = await openReport('classic', await classicInput());
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual(['bars', 'files', 'replay']);
    for (const chart of charts) {
      expect(chart.points, chart.id).toBeGreaterThan(0);
      expect(chart.painted, chart.id).toBeGreaterThan(1000);
    }
  });

  it('steps a classic run back and forth, one file completion at a time', async () => {
    const path = join(OUTPUT, 'classic-replay.html');
    const input = await classicInput();
    await writeFile(path, renderReport(input, meta));
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    await page.goto(pathToFileURL(path).href);
    const steps = input.kind === 'classic' ? (input.runs[0]?.outputs.length ?? 0) : 0;
    const said = () => page.locator('#replay p.note').last().textContent();
    expect(await said()).toContain(`Step ${steps} of ${steps}:`);
    await page.getByRole('button', { name: '◀ step' }).click();
    await page.getByRole('button', { name: '◀ step' }).click();
    expect(await said()).toContain(`Step ${steps - 2} of ${steps}:`);
    await page.getByRole('slider', { name: 'replay step' }).fill('0');
    expect(await said()).toBe(`Step 0 of ${steps}: nobody has completed a wanted file yet.`);
    await page.getByRole('button', { name: 'step ▶' }).click();
    expect(await said()).toMatch(
      new RegExp(`^Step 1 of ${steps}: at [\\d.]+ s, client \\d+ completed \\S+\\.$`),
    );
    await page.close();
  });

  it('gives tooltips with units and the peer’s id', async () => {
    const path = join(OUTPUT, 'tooltips.html');
    await writeFile(path, renderReport({ kind: 'swarm', runs: [swarmRun('rarest-first')] }, meta));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(pathToFileURL(path).href);
    await page.waitForFunction(
      () => (window as unknown as { __swarmlabReport?: unknown }).__swarmlabReport !== undefined,
    );
    // Hover the first point of a chart and read what its tooltip says.
    const tooltipOf = async (id: string) => {
      const canvas = page.locator(`#chart-${id}`);
      await canvas.scrollIntoViewIfNeeded();
      const point = await canvas.evaluate((element) => {
        type Meta = { data: { x: number; y: number }[] };
        type ChartLike = { getDatasetMeta(i: number): Meta; tooltip: { body?: { lines: string[] }[] } };
        const chart = (window as unknown as { Chart: { getChart(c: unknown): ChartLike } }).Chart.getChart(
          element,
        );
        const first = chart.getDatasetMeta(0).data[0] as { x: number; y: number };
        return { x: first.x, y: first.y };
      });
      const box = await canvas.boundingBox();
      await page.mouse.move((box?.x ?? 0) + point.x, (box?.y ?? 0) + point.y);
      return canvas.evaluate((element) => {
        type ChartLike = { tooltip: { body?: { lines: string[] }[] } };
        const chart = (window as unknown as { Chart: { getChart(c: unknown): ChartLike } }).Chart.getChart(
          element,
        );
        return (chart.tooltip.body ?? []).flatMap((part) => part.lines).join(' | ');
      });
    };
    expect(await tooltipOf('scatter')).toMatch(/^peer \d+ \(peers\): [\d.]+ MB, [\d.]+ MB/);
    expect(await tooltipOf('population')).toMatch(/leechers: [\d.]+ s, [\d.]+ peers/);
    await page.close();
  });

  it('draws every chart of a simulated run with data', async () => {
    const { charts, problems, requests } = await openReport('simulation', {
      kind: 'swarm',
      runs: [swarmRun('rarest-first')],
    });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual([
      'cdf',
      'population',
      'upload',
      'availability',
      'scatter',
      'shares',
      'heat',
      'timelines',
      'kinds',
    ]);
    for (const chart of charts) {
      expect(chart.points, chart.id).toBeGreaterThan(0);
      expect(chart.painted, chart.id).toBeGreaterThan(1000);
      expect(chart.outside, chart.id).toBe(0);
    }
  });

  it('overlays two runs, and follows a dark colour scheme', async () => {
    const input: ReportInput = { kind: 'swarm', runs: [swarmRun('rarest-first'), swarmRun('random')] };
    const light = await openReport('comparison', input);
    const dark = await openReport('comparison-dark', input, 'dark');
    expect(light.problems).toEqual([]);
    expect(dark.problems).toEqual([]);
    expect(light.background).not.toBe(dark.background);
    for (const chart of dark.charts) expect(chart.painted, chart.id).toBeGreaterThan(1000);
  });

  it.each(readdirSync('scenarios').filter((name) => name.endsWith('.yaml')))(
    'renders the report of the bundled scenario %s (shrunk) with every chart drawn',
    async (name) => {
      const scenario = await readSwarmScenario(join('scenarios', name), ['peers.count=20', 'file.size=5MB']);
      const run = simulateSwarm(scenario, { seed: 1 });
      const bound = runBound(run);
      const results = toSwarmResults(run, summarizeSwarm(run, bound), bound, {
        source: name,
        swarmlab: 'test',
        createdAt: new Date(0),
      });
      const { charts, problems, requests } = await openReport(`scenario-${name}`, {
        kind: 'swarm',
        runs: [results],
      });
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(EVERY_SWARM_CHART));
      for (const chart of charts) {
        expect(chart.painted, `${name} ${chart.id}`).toBeGreaterThan(1000);
        expect(chart.outside, `${name} ${chart.id}`).toBe(0);
      }
    },
  );
});

describe('reports at desktop and phone width', () => {
  const overSeeds: ReportInput = {
    kind: 'swarm',
    runs: [1, 2, 3].flatMap((seed) => [swarmRun('rarest-first', seed), swarmRun('random', seed)]),
  };

  it.each([1200, 390])(
    'leads a comparison over seeds with its answer on the first screen, nothing overflowing, at %i px',
    async (width) => {
      const report = await openReport(`seeds-${width}`, overSeeds, 'light', width);
      expect(report.problems).toEqual([]);
      expect(report.requests).toEqual([]);
      expect(report.headline).toMatch(/(finished [\d.]+% faster than|No significant difference between)/);
      expect(report.headline).toContain('3 seeds each');
      expect(report.headline).toContain('95% CI');
      expect(report.headlineBottom).toBeLessThan(900);
      expect(report.pageWidth).toBeLessThanOrEqual(width);
      expect(report.overflowing).toEqual([]);
      for (const chart of report.charts) {
        expect(chart.points, chart.id).toBeGreaterThan(0);
        expect(chart.painted, chart.id).toBeGreaterThan(1000);
        expect(chart.outside, chart.id).toBe(0);
      }
    },
  );

  it.each([1200, 390])(
    'draws who-from-whom among 200 clients as a heat map that fits, at %i px',
    async (width) => {
      const scenario = generateClassic({ clients: 200, files: 12, maxSegments: 30, seed: 3 });
      const result = runSim(scenario, { seed: 3, strategy: 'random' });
      const input: ReportInput = {
        kind: 'classic',
        runs: [
          toClassicResults(result, summarize(result), {
            input: 'gen-200',
            swarmlab: 'test',
            createdAt: new Date(0),
          }),
        ],
      };
      const report = await openReport(`classic-200-${width}`, input, 'light', width);
      expect(report.problems).toEqual([]);
      expect(report.headline).toContain('200 clients downloaded');
      expect(report.charts.map((c) => c.id)).toEqual(['bars', 'files', 'replay', 'heat']);
      // One point per client, not 400 thin bars.
      expect(report.charts.find((c) => c.id === 'bars')?.points).toBe(200);
      for (const chart of report.charts) {
        expect(chart.painted, chart.id).toBeGreaterThan(100);
        expect(chart.outside, chart.id).toBe(0);
      }
      expect(report.pageWidth).toBeLessThanOrEqual(width);
      expect(report.overflowing).toEqual([]);
    },
  );
});
