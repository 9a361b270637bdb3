// A free TCP port on a loopback address, for the tests and for the live benchmarks (bench/net-case.mjs,
// bench/net-floor-case.mjs). Plain JavaScript, so that the benchmarks, which Node runs without a
// TypeScript loader, share it.
import { createServer } from 'node:net';

/** A free TCP port on `host` (free when asked; the caller binds it at once). */
export function freePort(host) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
