// The protocol core is sans-I/O: runtimes own sockets, files, threads, clocks and timers, and hand it a
// seeded Rng. This reads its sources and fails on anything that would let the outside world in.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROTOCOL_DIR = fileURLToPath(new URL('../../src/protocol/', import.meta.url));

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFilesUnder(path);
    return entry.isFile() && entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** What the core must not use, each with a pattern that finds it in source text. */
const FORBIDDEN: readonly (readonly [string, RegExp])[] = [
  ['Math.random', /Math\s*\.\s*random/],
  ['Date', /\bDate\b/],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['setImmediate', /\bsetImmediate\b/],
  ['performance.', /\bperformance\s*\./],
  ['process.', /\bprocess\s*\./],
  // Static imports and re-exports, dynamic imports and require() of node:*, fs and worker_threads.
  [
    "an import from 'node:', 'fs' or 'worker_threads'",
    /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](?:node:[^'"]*|fs(?:\/[^'"]*)?|worker_threads)['"]/,
  ],
];

function violations(source: string): string[] {
  return FORBIDDEN.filter(([, pattern]) => pattern.test(source)).map(([what]) => what);
}

describe('the protocol core stays free of I/O, clocks and ambient randomness', () => {
  const files = tsFilesUnder(PROTOCOL_DIR);

  it('finds every source file of the core, strategies included', () => {
    const names = files.map((file) => relative(PROTOCOL_DIR, file).split('\\').join('/'));
    for (const expected of [
      'messages.ts',
      'tracker.ts',
      'swarm-registry.ts',
      'download.ts',
      'upload.ts',
      'holdings.ts',
      'client.ts',
      'stats.ts',
      'strategies/index.ts',
      'strategies/random.ts',
      'strategies/least-loaded.ts',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it.each(files.map((file) => [relative(PROTOCOL_DIR, file), file]))('%s uses none of them', (_, file) => {
    expect(violations(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('recognises each forbidden use (the check itself is not vacuous)', () => {
    const samples: [string, string][] = [
      ['const x = Math.random();', 'Math.random'],
      ['const now = Date.now();', 'Date'],
      ['const d = new Date();', 'Date'],
      ['setTimeout(f, 1);', 'setTimeout'],
      ['setInterval(f, 1);', 'setInterval'],
      ['setImmediate(f);', 'setImmediate'],
      ['const t = performance.now();', 'performance.'],
      ['process.exit(1);', 'process.'],
      ["import { readFileSync } from 'node:fs';", "an import from 'node:', 'fs' or 'worker_threads'"],
      ["import * as fs from 'fs';", "an import from 'node:', 'fs' or 'worker_threads'"],
      ["import { promises } from 'fs/promises';", "an import from 'node:', 'fs' or 'worker_threads'"],
      ["import { Worker } from 'worker_threads';", "an import from 'node:', 'fs' or 'worker_threads'"],
      ["const m = await import('node:os');", "an import from 'node:', 'fs' or 'worker_threads'"],
      ["export { x } from 'node:util';", "an import from 'node:', 'fs' or 'worker_threads'"],
    ];
    for (const [source, what] of samples) expect(violations(source), source).toContain(what);
    for (const fine of ["import { Rng } from '../util/rng.ts';", 'update(); onUpdate(); sendUpdate();']) {
      expect(violations(fine), fine).toEqual([]);
    }
  });
});
