// End to end, in process: ~1 KB events from the ingest λ (called directly with API Gateway events,
// 500 events each) through Firehose, the transform, raw objects, Glue, Athena and publish-report,
// timed from the first request to the last published report, with the process's peak RSS. Then
// the bytes each report scans on curated Parquet vs. the same query over the raw NDJSON, and the
// ingest throughput with durable acks against acks from memory (pipeline-durable.ts).
// EVENTLAKE_BENCH_EVENTS (default 1,000,000) scales it; EVENTLAKE_BENCH_TIMESCALE the pipeline's waits.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { durableAcksComparison } from './pipeline-durable.js';
import { scanComparison } from './pipeline-scan.js';
import { benchRequests } from './pipeline-traffic.js';
import type { Bench, BenchResult } from './types.js';

const EVENTS = Number(process.env.EVENTLAKE_BENCH_EVENTS ?? 1_000_000);
/** Events of each run of the durable-acks comparison (EVENTLAKE_BENCH_ACKS_EVENTS; 0 skips it). */
const ACKS_EVENTS = Number(process.env.EVENTLAKE_BENCH_ACKS_EVENTS ?? 200_000);
/**
 * 0.1, not the demo's 0.001: scaling shrinks Firehose's 300 s buffer and the 30 s batching window but
 * not the event rate, so at 0.001 each raw object holds ~0.3 s of traffic and 200k events become ~450
 * objects, ~150 Glue runs and ~1,600 report queries (measured: 180 s of settling). At 0.1 an object
 * holds ~30 s, closer to the cloud, where 128 MiB objects and minutes-long runs are the norm.
 */
const BENCH_TIME_SCALE = 0.1;
const CONCURRENCY = 4;
const SEED = 2025;
/** API Gateway's 29 s: the handler's own PutRecordBatch retries always have time left. */
const context = { getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** The kernel's own high-water mark of this process's RSS (catches peaks between samples). */
const vmHwmBytes = (): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;

const bench: Bench = async (): Promise<BenchResult[]> => {
  // As in the test config: handlers log and emit metrics through Powertools, which would time stdout.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { config } = await import('#shared/config.js');
  const { makeIngestHandler } = await import('../functions/ingest.js');
  const { localAppResolver } = await import('#shared/ingest/apps.js');
  const { startLocalPipeline } = await import('../local/pipeline/pipeline.js');
  const { settle } = await import('../local/pipeline/settle.js');
  const { nextTurn } = await import('../local/pipeline/clock.js');
  const { lakeFigures } = await import('./pipeline-lake.js');

  const timeScale = Number(process.env.EVENTLAKE_BENCH_TIMESCALE ?? BENCH_TIME_SCALE);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-bench-'));
  const p = await startLocalPipeline({ dataDir, timeScale });
  const ingest = makeIngestHandler({
    putRecords: p.putRecords,
    resolveApp: localAppResolver(config.local.apiKeys),
    report: () => {},
  });
  const rss = rssSampler();
  const sent = { events: 0, valid: 0, bytes: 0, accepted: 0 };
  const results: BenchResult[] = [];
  try {
    const started = Date.now();
    const inFlight = new Set<Promise<void>>();
    for (const request of benchRequests(EVENTS, SEED)) {
      while (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
      // Requests arrive as I/O, one event-loop turn each: without the turn, a chain of already-resolved
      // promises would starve every timer (Firehose buffer intervals, queue windows) for the whole run.
      await nextTurn();
      const call: Promise<void> = ingest(request.event, context).then((response) => {
        if (response.statusCode !== 200)
          throw new Error(`ingest answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
        sent.accepted += (JSON.parse(response.body) as { accepted: number }).accepted;
        Object.assign(sent, { events: sent.events + request.events, valid: sent.valid + request.valid });
        sent.bytes += request.bytes;
      });
      const tracked = call.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
    const ingested = Date.now();
    await settle(p);
    const settled = Date.now();
    const peakRss = rss.stop();
    const lake = await lakeFigures(p, dataDir);
    if (lake.curatedRows !== sent.valid)
      throw new Error(`curated holds ${lake.curatedRows} rows, expected ${sent.valid}`);
    const wallSeconds = (lake.lastPublishedMs - started) / 1000;
    const main: BenchResult = {
      name: `pipeline: ${EVENTS} events of ~${Math.round(sent.bytes / sent.events)} B, ingest λ → published reports, one process, transform on ${config.local.transformWorkers} worker thread(s) (timeScale ${timeScale})`,
      figures: {
        events: sent.events,
        'events/s': Math.round(sent.events / wallSeconds),
        'wall s': round(wallSeconds),
        'ingest s': round((ingested - started) / 1000),
        'settle s': round((settled - ingested) / 1000),
        'peak RSS MB_max': Math.round(peakRss / 2 ** 20),
        'VmHWM MB_max': Math.round(vmHwmBytes() / 2 ** 20),
        'curated rows': lake.curatedRows,
        'raw objects': lake.rawObjects,
        'raw MB (gzip)': round(lake.rawBytes / 2 ** 20),
        'curated MB': round(lake.curatedBytes / 2 ** 20),
        'glue runs': lake.glueRuns,
        'report queries': p.startedQueries.length,
        'messages in DLQs_max': lake.inDlq,
      },
      targets: { 'events/s': 50_000, 'peak RSS MB_max': 1536, 'messages in DLQs_max': 0 },
    };
    results.push(main, await scanComparison(dataDir, p.instance, p.catalogue, lake.busiestDate));
  } finally {
    rss.stop();
    await p.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  // After the main run's pipeline is closed: each run of the comparison has the machine to itself.
  if (ACKS_EVENTS > 0) results.push(await durableAcksComparison(ACKS_EVENTS));
  return results;
};

const round = (n: number): number => Math.round(n * 100) / 100;

export default bench;
