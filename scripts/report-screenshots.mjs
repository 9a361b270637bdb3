// Screenshots of report views for docs/report.md and the README, taken in Debian's Chromium from
// reports made by real runs of the CLI (see docs/report.md for the commands; out/docs/make.sh).
// Usage: node scripts/report-screenshots.mjs [REPORTS_DIR] [IMAGES_DIR]
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [reports = 'out/docs', images = 'docs/report'] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** [report, what to capture (a CSS selector, or 'top' for the header), image, viewport width]. */
const SHOTS = [
  ['sweep.html', 'header', 'sweep-top.png', 1000],
  ['sweep.html', 'top-phone', 'sweep-phone.png', 390],
  ['sweep.html', 'section:has(#chart-cdf)', 'sweep-cdf.png', 1000],
  ['sweep.html', 'page', '../report.png', 1000],
  ['slow-random.html', 'section:has(#chart-population)', 'slow-population.png', 1000],
  ['slow-random.html', 'section:has(#chart-availability)', 'slow-availability.png', 1000],
  ['slow-random.html', 'section:has(#chart-heat)', 'slow-heat.png', 1000],
  ['free-riders.html', 'section:has(#chart-timelines)', 'free-riders-timelines.png', 1000],
  ['free-riders.html', 'section:has(#chart-kinds)', 'free-riders-kinds.png', 1000],
  ['free-riders.html', 'section:has(#chart-shares)', 'free-riders-shares.png', 1000],
  ['poisson.html', 'top-and-cdf', 'poisson-top.png', 1000],
  ['classic200.html', 'classic', 'classic-200.png', 1000],
];

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
await mkdir(images, { recursive: true });
for (const [report, what, image, width] of SHOTS) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: 'light' });
  await page.goto(pathToFileURL(resolve(reports, report)).href);
  await page.waitForFunction(() => window.__swarmlabReport !== undefined);
  const path = join(images, image);
  if (what === 'top-phone')
    await page.screenshot({ path, clip: { x: 0, y: 0, width, height: 1100 }, fullPage: true });
  else if (what === 'page')
    await page.screenshot({ path, clip: { x: 0, y: 0, width, height: 1500 }, fullPage: true });
  else if (what === 'top-and-cdf' || what === 'classic') {
    const last = what === 'classic' ? '#matrices' : '#chart-cdf';
    const bottom = await page
      .locator(last)
      .evaluate((el) => el.closest('section').getBoundingClientRect().bottom + window.scrollY);
    await page.screenshot({
      path,
      clip: { x: 0, y: 0, width, height: Math.ceil(bottom) + 16 },
      fullPage: true,
    });
  } else await page.locator(what).first().screenshot({ path });
  await page.close();
  process.stdout.write(`wrote ${path}\n`);
}
await browser.close();
