// The demo's closing account: every generated event is either rejected to the client with a reason,
// in curated, a failed-event record, late, a removed duplicate, or in the processing-failed prefix.
import path from 'node:path';
import { config } from '#shared/config.js';
import { readLakeCounts } from '../../dashboard/data.js';
import type { LocalPipeline } from '../../pipeline/pipeline.js';
import { localBucketNames } from '../../s3/buckets.js';
import type { TrafficSent } from './demo-traffic.js';

export interface DemoLedger {
  sent: TrafficSent;
  enteredPipeline: number;
  curatedRows: number;
  failedByType: Record<string, number>;
  late: number;
  duplicatesRemoved: number;
  processingFailed: number;
  glueRuns: { succeeded: number; failed: number };
  reports: { name: string; queries: number; bytesScanned: number; priceUSD: number }[];
  inDlq: number;
  balanced: boolean;
}

export async function readLedger(p: LocalPipeline, sent: TrafficSent): Promise<DemoLedger> {
  const connection = await p.instance.connect();
  const bucketDirs = {
    ingest: path.join(p.dataDir, localBucketNames.ingest),
    lake: path.join(p.dataDir, localBucketNames.lake),
  };
  const counts = await readLakeCounts(connection, bucketDirs);
  connection.closeSync();
  const runs = p.glue.runs();
  const duplicatesRemoved = runs.reduce((sum, r) => sum + (r.marker?.duplicates_removed ?? 0), 0);
  const processingFailed = p.direct.stats().processingFailed + p.devices.stats().processingFailed;
  const failed = Object.values(counts.failedByType).reduce((a, b) => a + b, 0);
  const enteredPipeline = sent.app.accepted + sent.device.published;
  const inDlq = Object.values(p.queues).reduce((sum, { dlq }) => sum + dlq.stats().visible, 0);
  return {
    sent,
    enteredPipeline,
    curatedRows: counts.valid,
    failedByType: counts.failedByType,
    late: counts.late,
    duplicatesRemoved,
    processingFailed,
    glueRuns: {
      succeeded: runs.filter((r) => r.state === 'SUCCEEDED').length,
      failed: runs.filter((r) => r.state === 'FAILED').length,
    },
    reports: reportScans(p),
    inDlq,
    balanced: enteredPipeline === counts.valid + failed + counts.late + duplicatesRemoved + processingFailed,
  };
}

function reportScans(p: LocalPipeline): DemoLedger['reports'] {
  const byReport = new Map<string, { queries: number; bytesScanned: number; priceUSD: number }>();
  for (const { queryExecutionId, report = 'unknown' } of p.startedQueries) {
    const entry = byReport.get(report) ?? { queries: 0, bytesScanned: 0, priceUSD: 0 };
    const bytes = p.athena.getQueryExecution(queryExecutionId).Statistics.DataScannedInBytes ?? 0;
    entry.queries += 1;
    entry.bytesScanned += bytes;
    // Athena bills every query for at least 10 MB.
    entry.priceUSD += priceOf(bytes);
    byReport.set(report, entry);
  }
  return [...byReport].map(([name, v]) => ({ name, ...v })).sort((a, b) => a.name.localeCompare(b.name));
}

const row = (label: string, value: number | string) =>
  console.log(`  ${label.padEnd(34)} ${String(value).padStart(12)}`);
const priceOf = (bytes: number) =>
  (Math.max(bytes, config.athena.minimumBytesBilled) / 1e12) * config.athena.pricePerTBScannedUSD;

export function printLedger(l: DemoLedger, seconds: number): void {
  console.log(`\neventlake demo — ${seconds.toFixed(1)} s`);
  row('events generated', l.sent.generated);
  row('  rejected by the API (4xx reason)', l.sent.app.rejected);
  row('  not delivered after retries', l.sent.app.failed + l.sent.device.failed);
  row('  entered the pipeline', l.enteredPipeline);
  row('valid, in curated Parquet', l.curatedRows);
  for (const [type, n] of Object.entries(l.failedByType)) row(`failed: ${type}`, n);
  row('late (older than the window)', l.late);
  row('duplicates removed by Glue', l.duplicatesRemoved);
  row('processing-failed (replayable)', l.processingFailed);
  row('messages in a DLQ', l.inDlq);
  row('Glue runs succeeded / failed', `${l.glueRuns.succeeded} / ${l.glueRuns.failed}`);
  row('ledger balanced', l.balanced ? 'yes' : 'NO');
  console.log('\nreports: queries, bytes scanned, Athena price (each query billed at least 10 MB)');
  for (const r of l.reports) row(`${r.name} ×${r.queries}`, `${r.bytesScanned} B  $${r.priceUSD.toFixed(6)}`);
}
