// The charting library's browser build, read from its installed package, to be inlined into reports
// (a report must open without network access).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let source: string | undefined;

export function chartLibrarySource(): string {
  if (source === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    source = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return source;
}

export function chartLibraryVersion(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
