// `npm run bench`: classic scenarios on both runtimes, each in a fresh process so that its peak memory
// is its own. Prints wall time, messages per second and peak resident memory.
// Targets (issue 2, 2-core machine): 100 clients x 10 files x 100 segments under 2 s on sim, 10 s on threads.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runClassic } from '../src/runtime/run.ts';
import type { RuntimeName } from '../src/runtime/types.ts';
import { generateClassic } from '../src/scenario/generate.ts';

interface Case {
  readonly clients: number;
  readonly files: number;
  readonly segments: number;
  readonly runtime: RuntimeName;
}

interface Figures {
  readonly wallMs: number;
  readonly messages: number;
  readonly segments: number;
  readonly peakRssMiB: number;
}

const CASES: readonly Case[] = [
  { clients: 10, files: 10, segments: 100, runtime: 'sim' },
  { clients: 10, files: 10, segments: 100, runtime: 'threads' },
  { clients: 100, files: 10, segments: 100, runtime: 'sim' },
  { clients: 100, files: 10, segments: 100, runtime: 'threads' },
];

async function measure(c: Case): Promise<Figures> {
  const scenario = generateClassic({
    clients: c.clients,
    files: c.files,
    minSegments: c.segments,
    maxSegments: c.segments,
    seed: 1,
  });
  const started = performance.now();
  const result = await runClassic(scenario, { runtime: c.runtime, seed: 1, strategy: 'random' });
  const wallMs = performance.now() - started;
  return {
    wallMs,
    messages: result.messages,
    segments: result.clients.reduce((total, stats) => total + stats.downloaded, 0),
    // ru_maxrss is in KiB on Linux, and covers every thread of the process.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function runInChild(c: Case): Figures {
  const self = fileURLToPath(import.meta.url);
  const output = execFileSync(process.execPath, ['--import', 'tsx', self, JSON.stringify(c)], {
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as Figures;
}

const single = process.argv[2];
if (single !== undefined) {
  process.stdout.write(`${JSON.stringify(await measure(JSON.parse(single) as Case))}\n`);
} else {
  const header = ['scenario', 'runtime', 'segments', 'messages', 'wall s', 'messages/s', 'peak MiB'];
  process.stdout.write(`${header.join('\t')}\n`);
  for (const c of CASES) {
    const f = runInChild(c);
    const row = [
      `${c.clients} clients x ${c.files} files x ${c.segments} segments`,
      c.runtime,
      f.segments,
      f.messages,
      (f.wallMs / 1000).toFixed(2),
      Math.round(f.messages / (f.wallMs / 1000)),
      f.peakRssMiB.toFixed(0),
    ];
    process.stdout.write(`${row.join('\t')}\n`);
  }
}
