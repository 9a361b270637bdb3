// `swarmlab report` and `--report` from the command line: files written, kinds not mixed, bad files refused.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectExit, makeTempDir, removeTempDirs, STACK_FRAME, swarmlab } from './spawn.ts';

afterEach(removeTempDirs);

const SMALL = ['--set', 'peers.count=10', '--set', 'file.size=4MB', '-q'];

describe('swarmlab report', () => {
  it('writes one self-contained report comparing two simulations', async () => {
    const dir = await makeTempDir('report');
    const [a, b, html] = [join(dir, 'a.json'), join(dir, 'b.json'), join(dir, 'out', 'compare.html')];
    expectExit(await swarmlab(['simulate', 'scenarios/flash-crowd.yaml', ...SMALL, '--json', a]), 0);
    expectExit(
      await swarmlab([
        'simulate',
        'scenarios/flash-crowd.yaml',
        ...SMALL,
        '--set',
        'strategy.pieces=random',
        '--json',
        b,
      ]),
      0,
    );
    const result = await swarmlab(['report', a, b, '-o', html]);
    expectExit(result, 0);
    expect(result.stdout).toBe(`wrote ${html}: 2 runs\n`);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('strategy.pieces=rarest-first');
    expect(page).toContain('strategy.pieces=random');
    // Self-contained: no script or stylesheet is fetched from anywhere.
    expect(page).not.toMatch(/<script[^>]+src=/);
    expect(page).not.toMatch(/<link[^>]+href=/);
  });

  it('writes a report with --report on run and on simulate', async () => {
    const dir = await makeTempDir('report-flag');
    const classic = join(dir, 'classic.html');
    const simulated = join(dir, 'simulated.html');
    expectExit(
      await swarmlab(['run', 'examples/basic', '--out', join(dir, 'out'), '-q', '--report', classic]),
      0,
    );
    expectExit(await swarmlab(['simulate', 'scenarios/classic.yaml', '-q', '--report', simulated]), 0);
    expect(await readFile(classic, 'utf8')).toContain('Who downloaded from whom');
    expect(await readFile(simulated, 'utf8')).toContain('Completion time CDF');
  });

  it('refuses to mix classic runs and simulations, and files that are not results', async () => {
    const dir = await makeTempDir('report-bad');
    const [classic, swarm, other] = [join(dir, 'c.json'), join(dir, 's.json'), join(dir, 'o.json')];
    expectExit(
      await swarmlab(['run', 'examples/basic', '--out', join(dir, 'out'), '-q', '--json', classic]),
      0,
    );
    expectExit(await swarmlab(['simulate', 'scenarios/classic.yaml', '-q', '--json', swarm]), 0);
    await writeFile(other, '{"hello": 1}');

    const mixed = await swarmlab(['report', classic, swarm, '-o', join(dir, 'x.html')]);
    expectExit(mixed, 2);
    expect(mixed.stderr).toContain('a report compares runs of one kind');
    const foreign = await swarmlab(['report', other, '-o', join(dir, 'y.html')]);
    expectExit(foreign, 2);
    expect(foreign.stderr).toContain('is not a swarmlab results file');
    expect(foreign.stderr).not.toMatch(STACK_FRAME);
    const missing = await swarmlab(['report', join(dir, 'nope.json'), '-o', join(dir, 'z.html')]);
    expectExit(missing, 2);
  });

  it('writes the classic run as CSV tables with run --csv', async () => {
    const dir = await makeTempDir('classic-csv');
    const csv = join(dir, 'csv');
    expectExit(await swarmlab(['run', 'examples/basic', '--out', join(dir, 'out'), '-q', '--csv', csv]), 0);
    const clients = (await readFile(join(csv, 'clients.csv'), 'utf8')).trim().split('\n');
    expect(clients[0]).toBe(
      'rank,downloaded,served,refused,refusalsReceived,filesCompleted,downloadDoneAt,uploadClosedAt',
    );
    expect(clients).toHaveLength(5);
    const transfers = (await readFile(join(csv, 'transfers.csv'), 'utf8')).trim().split('\n').slice(1);
    const total = transfers.reduce((sum, line) => sum + Number(line.split(',')[2]), 0);
    const downloaded = clients.slice(1).reduce((sum, line) => sum + Number(line.split(',')[1]), 0);
    expect(total).toBe(downloaded);
    expect(await readFile(join(csv, 'summary.csv'), 'utf8')).toContain(`segmentsDownloaded,${downloaded}`);
  });
});
