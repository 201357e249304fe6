// The tables `npm run bench -- cost` prints: the sample, each load's bill per service for the
// scenarios side by side with the peers, and the freshness knob against cost.
import { peers } from './assumptions.js';
import type { SampleShape } from './classes.js';
import type { Measured, ScenarioResult } from './model.js';
import type { Sample } from './sample.js';

const usd = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toFixed(3));
const cell = (s: string): string => s.padStart(12);
const row = (label: string, values: string[]): void => console.log(`  ${label.padEnd(44)}${values.map(cell).join('')}`);

export function printShape(sample: Sample, shape: SampleShape, measured: Measured): void {
  const packed = sample.records.some((r) => r.events > 1);
  console.log(`\ncost model — measured sample (real ingest and transform λs), packing ${packed ? 'on' : 'off'}`);
  row('events (demo mix) / Firehose records', [String(sample.events), String(sample.records.length)]);
  row('mean event bytes → scaled to', [
    sample.meanEventBytes.toFixed(0),
    (sample.meanEventBytes * shape.scale).toFixed(0),
  ]);
  row('API requests per app event / app share', [shape.requestsPerAppEvent.toFixed(4), shape.appShare.toFixed(3)]);
  row('gzip ratio of transformed lines', [measured.gzipRatio.toFixed(3)]);
  row('Parquet bytes per curated row (1 KB events)', [measured.parquetBytesPerRow.toFixed(0)]);
  row('Firehose records / billed KB per event: direct', [
    shape.directRecordsPerEvent.toFixed(3),
    (shape.directBilledPerEvent / 1024).toFixed(2),
  ]);
  row('Firehose billed KB per event: devices', [(shape.devicesBilledPerEvent / 1024).toFixed(2)]);
  row('ms per ingest request / per transform record', [
    shape.ingestMsPerRequest.toFixed(2),
    shape.transformMsPerRecord.toFixed(4),
  ]);
  row('CloudWatch alarms / custom metrics', [String(measured.alarms), String(measured.customMetrics)]);
}

export function printLoad(load: number, results: Record<string, ScenarioResult>): void {
  const names = Object.keys(results);
  const all = Object.values(results);
  const first = all[0] as ScenarioResult;
  console.log(`\n${load} events/s of 1 KB (${(first.eventsPerMonth / 1e6).toFixed(1)}M events/month), $/month`);
  row('', names);
  for (const [i, { service }] of first.lines.entries())
    row(
      service,
      all.map((r) => usd(r.lines[i]?.usdPerMonth ?? 0)),
    );
  row(
    'total $/month',
    all.map((r) => usd(r.usdPerMonth)),
  );
  row(
    '$ per million events',
    all.map((r) => r.usdPerMillionEvents.toFixed(3)),
  );
  row(
    'Glue runs per day',
    all.map((r) => String(r.glueRunsPerDay)),
  );
  row(
    'curated files per closed partition (max)',
    all.map((r) => String(r.maxFilesPerClosedPartition)),
  );
  row(
    'median curated file MB',
    all.map((r) => r.medianFileMB.toFixed(2)),
  );
  row(
    'freshness p50 / p95, min',
    all.map((r) => `${r.freshnessP50Minutes.toFixed(1)}/${r.freshnessP95Minutes.toFixed(1)}`),
  );
  row(
    'anti-join MB per run, mean / max',
    all.map((r) => `${r.antiJoinMBPerRun.mean.toFixed(1)}/${r.antiJoinMBPerRun.max.toFixed(1)}`),
  );
  row(
    'rewrites a day: closed / file count',
    all.map((r) => `${r.rewritesPerDay.closed}/${r.rewritesPerDay.fileCount}`),
  );
  row(
    'rewrite GB read + written a day',
    all.map((r) => r.rewritesPerDay.gb.toFixed(2)),
  );
  row(
    'runs still queued at the horizon',
    all.map((r) => String(r.backlogRuns)),
  );
  const c = first.counts;
  row(
    'per day: API requests, Firehose records',
    [c.apiRequests, c.firehoseRecords].map((n) => String(Math.round(n ?? 0))),
  );
  row(
    'per day: S3 objects, transform invocations',
    [c.s3Objects, c.transformInvocations].map((n) => String(Math.round(n ?? 0))),
  );
  row(
    'per day: Athena queries (per scenario)',
    all.map((r) => String(r.counts.athenaQueries)),
  );
  const k = first;
  const cheaper = k.kinesisProvisionedUsd < k.kinesisOnDemandUsd ? 'provisioned' : 'on-demand';
  row(`Kinesis on-demand vs provisioned (${k.kinesisShards} shard, ${k.kinesisShardsNeeded} needed)`, [
    usd(k.kinesisOnDemandUsd),
    usd(k.kinesisProvisionedUsd),
    cheaper,
  ]);
  for (const peer of peers) row(`peer: ${peer.name}`, [`${peer.usdPerMillionEvents.toFixed(2)} $/M`]);
}

export function printKnobs(knobs: number[], table: Record<string, Record<number, number>>): void {
  console.log('\nfreshness knob (the defaults): $/month, p95 freshness min, Glue runs/day');
  row('knob, minutes', knobs.map(String));
  for (const [label, values] of Object.entries(table)) {
    const format = label.endsWith('p95') ? (n: number) => n.toFixed(1) : label.endsWith('runs') ? String : usd;
    row(
      label.endsWith('p95') || label.endsWith('runs') ? `${label} @ events/s` : `$/month @ ${label} events/s`,
      knobs.map((k) => format(values[k] ?? 0)),
    );
  }
}

/** Which $ per million target holds, and the lines that stand between the bill and it. */
export function printVerdict(label: string, r: ScenarioResult, target: number): void {
  const perMillion = (usdPerMonth: number) => usdPerMonth / (r.eventsPerMonth / 1e6);
  const holds = r.usdPerMillionEvents <= target;
  console.log(
    `\n${label} at ${r.scenario.eventsPerSecond} events/s: $${r.usdPerMillionEvents.toFixed(3)} per million events — ` +
      `target ≤ $${target.toFixed(2)} ${holds ? 'holds' : `missed by $${(r.usdPerMillionEvents - target).toFixed(3)}`}`,
  );
  for (const { service, usdPerMonth } of [...r.lines].sort((a, b) => b.usdPerMonth - a.usdPerMonth)) {
    row(service, [perMillion(usdPerMonth).toFixed(4), `${((100 * usdPerMonth) / r.usdPerMonth).toFixed(1)} %`]);
  }
}
