// The executable entry: `swarmlab ...` (through bin/swarmlab.js) or `tsx src/cli/bin.ts ...`.

import { quietOnClosedOutput } from './closed-output.ts';
import { main } from './main.ts';

quietOnClosedOutput(process.stdout);
quietOnClosedOutput(process.stderr);

process.exitCode = await main(process.argv.slice(2));
