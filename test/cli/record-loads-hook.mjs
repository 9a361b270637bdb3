// The hook of record-loads.mjs: appends the URL of each module file loaded to the file named by
// SWARMLAB_TEST_LOADS, one a line.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) appendFileSync(process.env.SWARMLAB_TEST_LOADS, `${url}\n`);
  return nextLoad(url, context);
}
