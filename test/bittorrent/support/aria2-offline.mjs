// How every aria2c of a test or a benchmark (bench/net-case.mjs) is started: with every way of finding
// peers but the tracker and the peers it is given turned off (DHT, local peer discovery, peer exchange;
// aria2c has no UPnP), so that a run knows where its peers come from; no config file, no IPv6, and
// quiet. Plain JavaScript, so that the benchmarks, which Node runs without a TypeScript loader, share it.

/** aria2c's flags for a swarm of our own; a later `--console-log-level` overrides the quiet one. */
export const ARIA2_OFFLINE = Object.freeze([
  '--no-conf=true',
  '--enable-dht=false',
  '--enable-dht6=false',
  '--bt-enable-lpd=false',
  '--enable-peer-exchange=false',
  '--disable-ipv6=true',
  '--summary-interval=0',
  '--console-log-level=warn',
  '--auto-save-interval=0',
  '--file-allocation=none',
]);
