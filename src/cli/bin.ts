// The executable entry: `swarmlab ...` (through bin/swarmlab.js) or `tsx src/cli/bin.ts ...`.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
