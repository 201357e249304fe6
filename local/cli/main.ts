// The `eventlake` command: the local runtime's entry point (npm start, npm run dev, send, query).
// Powertools reads its settings when the handlers' modules load, so set them before importing any.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

export {};

const USAGE = `Usage: eventlake <command> [options]

Commands:
  demo     a day of generated traffic through the whole local pipeline, then a summary and the dashboard
  dev      the long-running local stack: HTTP endpoint + live dashboard; Ctrl-C flushes and stops (eventlake dev --help)
  send     generate realistic traffic and send it to POST /v1/events (eventlake send --help)
  query    ad-hoc SQL on the local lake: table, rows, time, bytes scanned, Athena price (eventlake query --help)
  replay   re-submit failed events, processing-failed records or DLQ messages (eventlake replay --help)
  load     a stepped load run against the local HTTP endpoint; table + bench/load-results.json (eventlake load --help)
  chaos    traffic under seeded faults at every hand-off, recovery, and a ledger of every event id (eventlake chaos --help)
  help     show this text`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  demo: async (argv) => (await import('./demo.js')).runDemo(argv),
  dev: async (argv) => (await import('./dev.js')).runDev(argv),
  send: async (argv) => (await import('./send.js')).runSend(argv),
  query: async (argv) => (await import('./query.js')).runQuery(argv),
  replay: async (argv) => (await import('../tools/replay/replay.js')).runReplay(argv),
  load: async (argv) => (await import('../tools/load/load.js')).runLoad(argv),
  chaos: async (argv) => (await import('../tools/chaos/chaos.js')).runChaos(argv),
  help: async () => {
    console.log(USAGE);
    return 0;
  },
};

const [name = 'help', ...rest] = process.argv.slice(2);
const command = commands[name];
if (command === undefined) {
  console.error(`unknown command: ${name}\n\n${USAGE}`);
  process.exitCode = 2;
} else {
  process.exitCode = await command(rest);
}
