// Where the rank threads' code is. Compiled, it is the bundle `npm run build` writes beside this file
// (scripts/bundle.mjs: in dist/classic/threads/, and a copy in dist/bundle/, beside the CLI's chunks).
// From the TypeScript sources (tests, tsx) it is bundled once per process with esbuild, a development
// dependency: Node 20 workers cannot load TypeScript, and one bundled file starts fastest.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let fromSource: Promise<URL> | undefined;

export function workerUrl(): Promise<URL> {
  if (!import.meta.url.endsWith('.ts'))
    return Promise.resolve(new URL('./worker.bundle.js', import.meta.url));
  fromSource ??= bundleFromSource();
  return fromSource;
}

async function bundleFromSource(): Promise<URL> {
  const { build } = await import('esbuild');
  const outfile = join(mkdtempSync(join(tmpdir(), 'swarmlab-worker-')), 'worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return pathToFileURL(outfile);
}
