// Commands that run until interrupted (tracker, seed, get) wait for the user's Ctrl-C or a SIGTERM here.

/** Resolves on the first SIGINT or SIGTERM (and stops listening for them). */
export function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
