#!/usr/bin/env node
// Runs the compiled CLI. `npm ci` builds it (the `prepare` script); `npm run build` rebuilds it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('swarmlab: the CLI is not built yet; run `npm run build` in the swarmlab checkout\n');
  process.exit(1);
}
await import(entry.href);
