// `npm run chaos`: generated traffic through the local pipeline with seeded faults at every hand-off,
// then the documented recovery commands, then a ledger of every event id read back from the lake.
// Exit 1 when an accepted event is lost or doubled, or when a fault kind never fired.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { config } from '#shared/config.js';
import { logger } from '#shared/observability.js';
import { startIngestServer } from '../../apigateway/ingest-server.js';
import { freshDataDir } from '../../cli/demo.js';
import { type LocalPipeline, startLocalPipeline } from '../../pipeline/pipeline.js';
import { settle } from '../../pipeline/settle.js';
import { type ChaosRates, chaosFaults, defaultChaosRates, faultKinds } from './faults.js';
import { checkLedger, isClean, readLakeIds } from './ledger.js';
import { recover } from './recover.js';
import { type ChaosReport, ledgerLines, observe, reportJson } from './report.js';
import { type ClientLedger, pushChaosTraffic } from './traffic.js';

/** Glue retries per failed run in the chaos run (the deployed default is glue.maxRunRetries). */
const CHAOS_MAX_RUN_RETRIES = 8;

export interface ChaosOptions {
  events: number;
  seed: number;
  rates: ChaosRates;
  /** Share of app batches the client sends twice on purpose. */
  duplicateSendRate: number;
  dataDir: string;
  timeScale: number;
  /** Firehose's wait for the transform: a hung invocation costs this much. */
  transformTimeoutMs: number;
  maxRecoveryRounds: number;
  /** Events per POST (default the API's maximum) and device fleet size: small runs use small batches. */
  batch?: number;
  devices?: number;
  log?: (text: string) => void;
}

export const defaultChaosOptions = {
  events: 100_000,
  seed: 42,
  rates: defaultChaosRates,
  duplicateSendRate: 0.02,
  timeScale: config.local.timeScale,
  transformTimeoutMs: 2_000,
  maxRecoveryRounds: 5,
} satisfies Omit<ChaosOptions, 'dataDir'>;

export async function chaosRun(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  freshDataDir(options.dataDir);
  const { faults, counts } = chaosFaults(options.rates, options.seed, config.queues.rawObjects.maxReceiveCount);
  const { dataDir, timeScale, transformTimeoutMs } = options;
  // Crash rates here are far above anything real, and the first fault of each kind is forced: the
  // retry λ gets more attempts than the deployed default so a chain is never exhausted by chance.
  const maxRunRetries = CHAOS_MAX_RUN_RETRIES;
  const pipeline = await startLocalPipeline({ dataDir, timeScale, transformTimeoutMs, faults, maxRunRetries });
  const client = await underFaults(pipeline, options, log).finally(
    // Stores what the DLQs hold in <dataDir>/_dlq/, as `npm run dev` does on Ctrl-C.
    () => pipeline.close(),
  );
  const observed = observe(pipeline);
  log('recovering: eventlake replay processing-failed, eventlake replay dlq');
  const recovery = await recover(dataDir, options.maxRecoveryRounds);
  log('reading the lake');
  const lake = await readLakeIds(dataDir);
  const silentFaults = faultKinds.filter((kind) => options.rates[kind] > 0 && counts[kind] === 0);
  const verdict = checkLedger(client, lake);
  const seconds = (performance.now() - started) / 1000;
  return { seed: options.seed, seconds, client, lake, recovery, faults: counts, observed, verdict, silentFaults };
}

/** Traffic through the ingest API and the device topic, then settle: everything still under faults. */
async function underFaults(pipeline: LocalPipeline, options: ChaosOptions, log: (text: string) => void) {
  const server = await startIngestServer(pipeline, 0);
  let client: ClientLedger;
  try {
    log(`pushing ${options.events} events to ${server.url} (seed ${options.seed}, data in ${options.dataDir})`);
    client = await pushChaosTraffic(pipeline, server.url, options);
  } finally {
    await server.close();
  }
  log('settling under faults');
  await settle(pipeline, (pass) => log(`  pass ${pass}`));
  return client;
}

/** Clean: nothing lost, doubled, misplaced or sneaked in, nothing left to recover, every fault fired. */
export const chaosPassed = (r: ChaosReport): boolean =>
  isClean(r.verdict) &&
  r.silentFaults.length === 0 &&
  r.client.mismatches.length === 0 &&
  r.recovery.left.processingFailedObjects === 0 &&
  Object.values(r.recovery.left.dlqMessages).every((n) => n === 0);

const USAGE = `eventlake chaos [--events N] [--seed N] [--rates JSON] [--rate-<kind> R] [--duplicate-sends R]
                [--data-dir DIR] [--time-scale X] [--transform-timeout-ms MS] [--json]

Pushes generated traffic through the local pipeline while injecting seeded faults at every hand-off,
recovers with \`eventlake replay processing-failed\` and \`eventlake replay dlq\`, and prints a ledger of
every event id. Exit 1 when an event is lost or doubled, or a fault kind never fired.
Fault kinds (default rate): ${faultKinds.map((k) => `${k} ${defaultChaosRates[k]}`).join(', ')}.
The data directory (default a fresh temporary one) is emptied first.`;

export async function runChaos(argv: string[]): Promise<number> {
  let options: ChaosOptions & { json: boolean };
  try {
    const parsed = parseChaosArgs(argv);
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    console.error(`eventlake chaos: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // Every injected fault makes a handler log a warning; the ledger is the account that matters here.
  logger.setLogLevel('ERROR');
  const started = performance.now();
  const log = (text: string) =>
    process.stderr.write(`• ${((performance.now() - started) / 1000).toFixed(1)} s ${text}\n`);
  const report = await chaosRun({ ...options, log });
  console.log(options.json ? JSON.stringify(reportJson(report), null, 2) : ledgerLines(report).join('\n'));
  return chaosPassed(report) ? 0 : 1;
}

function parseChaosArgs(argv: string[]): (ChaosOptions & { json: boolean }) | 'help' {
  const rateOptions = Object.fromEntries(faultKinds.map((k) => [`rate-${k}`, { type: 'string' as const }]));
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      seed: { type: 'string' },
      rates: { type: 'string' },
      'duplicate-sends': { type: 'string' },
      'data-dir': { type: 'string' },
      'time-scale': { type: 'string' },
      'transform-timeout-ms': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
      ...rateOptions,
    },
  });
  if (values.help) return 'help';
  const rates = { ...defaultChaosRates, ...parseRates(values.rates) };
  for (const kind of faultKinds) {
    const value = (values as Record<string, unknown>)[`rate-${kind}`];
    if (typeof value === 'string') rates[kind] = rate(value, `--rate-${kind}`);
  }
  const d = defaultChaosOptions;
  const dataDir = values['data-dir'] ?? mkdtempSync(path.join(tmpdir(), 'eventlake-chaos-'));
  return {
    ...d,
    events: count(values.events, d.events, '--events'),
    seed: count(values.seed, d.seed, '--seed'),
    rates,
    duplicateSendRate:
      values['duplicate-sends'] === undefined
        ? d.duplicateSendRate
        : rate(values['duplicate-sends'], '--duplicate-sends'),
    dataDir: path.resolve(dataDir),
    timeScale: values['time-scale'] === undefined ? d.timeScale : positive(values['time-scale'], '--time-scale'),
    transformTimeoutMs: count(values['transform-timeout-ms'], d.transformTimeoutMs, '--transform-timeout-ms'),
    json: values.json ?? false,
  };
}

function parseRates(text: string | undefined): Partial<ChaosRates> {
  if (text === undefined) return {};
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const rates: Partial<ChaosRates> = {};
  for (const [kind, value] of Object.entries(parsed)) {
    if (!(faultKinds as string[]).includes(kind)) throw new Error(`--rates: unknown fault kind ${kind}`);
    rates[kind as keyof ChaosRates] = rate(String(value), `--rates ${kind}`);
  }
  return rates;
}

function rate(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new Error(`${name} must be between 0 and 1, got ${text}`);
  return value;
}

function positive(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${text}`);
  return value;
}

function count(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${text}`);
  return value;
}
