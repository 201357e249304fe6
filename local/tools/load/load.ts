// `npm run load`: the local pipeline and its HTTP endpoint in this process, driven by a load client in
// a separate process (client.ts) through stages of rising request rates; server peaks sampled
// here; then the pipeline settles and every acknowledged event must be accounted for.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { config } from '#shared/config.js';
import { startIngestServer } from '../../apigateway/ingest-server.js';
import { freshDataDir } from '../../cli/demo.js';
import { DEFAULT_MAX_BACKLOG_BYTES } from '../../firehose/firehose.js';
import { startLocalPipeline } from '../../pipeline/pipeline.js';
import { readLoadLedger, settleWithin } from './ledger.js';
import { type ClientMessage, type LoadPlan, loadHelp, loadPlan, type RunnerMessage } from './plan.js';
import {
  failuresOf,
  formatSummary,
  formatTable,
  type LoadResults,
  type StageResult,
  stageResult,
  warningsOf,
  writeResults,
} from './report.js';
import { type Sampler, startSampler } from './sampler.js';

export interface LoadIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: LoadIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

export async function runLoad(argv: string[], io: LoadIo = defaultIo): Promise<number> {
  let plan: LoadPlan | 'help';
  try {
    plan = loadPlan(argv);
  } catch (error) {
    io.stderr(`eventlake load: ${(error as Error).message}\n\n${loadHelp}\n`);
    return 2;
  }
  if (plan === 'help') {
    io.stdout(`${loadHelp}\n`);
    return 0;
  }
  const dataDir = plan.dataDir ? path.resolve(plan.dataDir) : mkdtempSync(path.join(tmpdir(), 'eventlake-load-'));
  if (plan.dataDir) freshDataDir(dataDir);
  try {
    const results = await measure(plan, dataDir, io);
    io.stdout(`\n${formatTable(results)}\n\n${formatSummary(results)}\n`);
    writeResults(path.resolve(plan.resultsPath), results);
    io.stdout(`\nresults: ${plan.resultsPath}\n`);
    return results.failures.length === 0 ? 0 : 1;
  } finally {
    if (!plan.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(plan: LoadPlan, dataDir: string, io: LoadIo): Promise<LoadResults> {
  const startedAt = new Date().toISOString();
  const pipeline = await startLocalPipeline({ dataDir, timeScale: plan.timeScale });
  const server = await startIngestServer(pipeline, 0);
  const sampler = startSampler(pipeline, server);
  try {
    io.stderr(`• load against ${server.url}, stages ${plan.stages.join(', ')} req/s × ${plan.stageSeconds} s\n`);
    const { stages, stoppedBy } = await driveClient(server.url, plan, sampler, io);
    const { shed: shedAtInFlightLimit, maxInFlight, peakInFlight } = server.stats();
    await server.close();
    io.stderr('• settling the pipeline\n');
    const settled = await settleWithin(pipeline, plan.settleSeconds);
    sampler.stop();
    const peaks = { ...sampler.overall(), httpInFlight: peakInFlight };
    const ledger = await readLoadLedger(pipeline, {
      acknowledged: stages.reduce((sum, s) => sum + s.acceptedEvents, 0),
      unknownOutcome: stages.reduce((sum, s) => sum + s.unknownOutcomeEvents, 0),
    });
    const { dataDir: _dir, resultsPath: _file, ...shown } = plan;
    const limits = {
      backlogBytes: DEFAULT_MAX_BACKLOG_BYTES,
      queueDepth: config.local.maxQueueMessages,
      httpInFlight: maxInFlight,
    };
    const summary = { peakRssBytes: peaks.rssBytes, peaks, limits, shedAtInFlightLimit, settled, ledger };
    const partial = { startedAt, plan: shown, stages, stoppedBy, summary };
    return { ...partial, failures: failuresOf(partial), warnings: warningsOf(partial) };
  } finally {
    sampler.stop();
    await server.close().catch(() => {});
    await pipeline.close();
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs client.ts in its own Node process; resolves with its stages once it exits. */
function driveClient(url: string, plan: LoadPlan, sampler: Sampler, io: LoadIo) {
  const child = spawn(process.execPath, ['--import', tsxLoader, path.join(here, 'client.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stages: StageResult[] = [];
  let stoppedBy = 'client failed';
  // The client is bounded by its own caps; this is the backstop should it hang.
  const backstopMs = plan.maxSeconds * 1000 + (plan.stages.length + 1) * 2 * plan.timeoutMs + 30_000;
  const backstop = setTimeout(() => child.kill(), backstopMs);
  child.on('message', (message: ClientMessage) => {
    if (message.type === 'ready') io.stderr(`• client ready: ${message.pooledEvents} pre-generated events\n`);
    if (message.type === 'stage-start') sampler.cut();
    if (message.type === 'stage-end') {
      const result = stageResult(message.stage, sampler.cut());
      stages.push(result);
      io.stderr(`  stage ${message.index + 1}: ${describe(result)}\n`);
    }
    if (message.type === 'done') stoppedBy = message.stoppedBy;
  });
  const start: RunnerMessage = { type: 'start', url, plan };
  child.send(start);
  return new Promise<{ stages: StageResult[]; stoppedBy: string }>((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(backstop);
      resolve({ stages, stoppedBy: code === 0 ? stoppedBy : 'client failed' });
    });
  });
}

const describe = (s: StageResult): string =>
  `${s.offeredRps} req/s offered, ${s.completedRps} answered/s, ${s.acceptedEventsPerSecond} events/s accepted, ` +
  `p99 ${s.latencyMs.p99} ms, ${Object.entries(s.byStatus)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ')}`;
