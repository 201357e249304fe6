// `npm start`: a realistic day of traffic (with invalid, late and duplicate events) pushed through
// the local pipeline — HTTP ingest and the device topic → Firehose → transform → raw objects → Glue
// → Athena → published reports — then a summary and the dashboard's path.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { config } from '#shared/config.js';
import { startIngestServer } from '../apigateway/ingest-server.js';
import { writeDashboard } from '../dashboard/dashboard.js';
import { refuseIfOwned } from '../pipeline/lock.js';
import { startLocalPipeline } from '../pipeline/pipeline.js';
import { settle } from '../pipeline/settle.js';
import { localBucketNames } from '../s3/buckets.js';
import { type DemoLedger, printLedger, readLedger } from '../tools/traffic/demo-ledger.js';
import { pushTraffic } from '../tools/traffic/demo-traffic.js';

/** Empties the data directory, refusing to touch a folder that holds anything but our buckets. */
export function freshDataDir(dataDir: string): void {
  if (existsSync(dataDir)) {
    // A live `eventlake dev` (or another demo) owns it: never empty it under that process.
    refuseIfOwned(dataDir);
    const ours = new Set([
      ...Object.values(localBucketNames),
      ...['_glue', '.tmp', '_replay', '_dlq', '_dev', '_firehose', '_sqs', '.lock', '.duckdb-spill'],
    ]);
    const foreign = readdirSync(dataDir).filter((entry) => !ours.has(entry));
    if (foreign.length > 0) throw new Error(`${dataDir} holds ${foreign.join(', ')}: not an eventlake data directory`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
}

const step = (text: string) => process.stderr.write(`• ${text}\n`);

export interface DemoOptions {
  events: number;
  seed: number;
  dataDir?: string | undefined;
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const { events } = options;
  const dataDir = path.resolve(options.dataDir ?? config.local.dataDir);
  freshDataDir(dataDir);
  const started = performance.now();
  const pipeline = await startLocalPipeline({ dataDir });
  const server = await startIngestServer(pipeline, 0);
  try {
    step(`pushing ${events} events (apps over HTTP at ${server.url}, devices on ${config.devices.topicFilter})`);
    const sent = await pushTraffic(pipeline, server.url, { events, seed: options.seed });
    step('settling: Firehose → raw objects → Glue → Athena → published reports');
    await settle(pipeline, (pass) => step(`  pass ${pass}: ${describeProgress(pipeline)}`));
    const ledger: DemoLedger = await readLedger(pipeline, sent);
    const page = await writeDashboard(await pipeline.instance.connect(), dataDir, pipeline.catalogue);
    printLedger(ledger, (performance.now() - started) / 1000);
    console.log(`\nDashboard: ${page}`);
    return ledger.balanced ? 0 : 1;
  } finally {
    await server.close();
    await pipeline.close();
  }
}

function describeProgress(p: Awaited<ReturnType<typeof startLocalPipeline>>): string {
  const runs = p.glue.runs();
  const ok = runs.filter((r) => r.state === 'SUCCEEDED').length;
  return `${p.direct.stats().objects + p.devices.stats().objects} raw objects, ${ok}/${runs.length} Glue runs, ${p.startedQueries.length} report queries`;
}
