// `npm run bench`: classic scenarios on both runtimes, on the compiled code, each case in a fresh process
// (bench/measure-case.mjs) so that its peak memory is its own. Prints wall time, messages per second and
// peak resident memory.
// Targets (issue 2, 2-core machine): 100 clients x 10 files x 100 segments under 2 s on sim, 10 s on threads.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RuntimeName } from '../src/runtime/types.ts';

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

function runInChild(c: Case): Figures {
  const script = fileURLToPath(new URL('./measure-case.mjs', import.meta.url));
  const output = execFileSync(process.execPath, [script, JSON.stringify(c)], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as Figures;
}

{
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
