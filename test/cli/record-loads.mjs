// Preloaded (`node --import`) by test/cli/bundle.test.ts into a CLI process: records every ES module file
// the process loads, through a module hook (hooks run on a thread of their own; see record-loads-hook.mjs).
import { register } from 'node:module';

register(new URL('./record-loads-hook.mjs', import.meta.url));
