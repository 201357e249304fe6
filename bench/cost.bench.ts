// npm run bench -- cost: the measured cost model (docs/cost.md). A demo-mix sample through the real
// ingest and transform λs, then simulated days at 10, 100 and 1,000 events/s through Firehose's
// buffering rules and the real lake and report handlers, billed at the dated price table.
import { config } from '#shared/config.js';
import type { Bench, BenchResult } from './types.js';

export const LOADS = [10, 100, 1000] as const;
const KNOBS_MINUTES = [5, 15, 30, 60];
/** The freshness knob's default: the longest that keeps 10 events/s within 48 Glue runs a day. */
export const DEFAULT_KNOB_MINUTES = 30;
const SAMPLE_EVENTS = 20_000;

let extraFigures: Record<string, unknown> = {};

const bench: Bench = async (): Promise<BenchResult[]> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { measureSample } = await import('./cost/sample.js');
  const { shapeOf } = await import('./cost/classes.js');
  const { assumptions, peers } = await import('./cost/assumptions.js');
  const { runScenario } = await import('./cost/model.js');
  const { countAlarms, countCustomMetrics, logRetentionDays } = await import('./cost/inventory.js');
  const { printLoad, printKnobs, printShape, printVerdict } = await import('./cost/print.js');
  const { parquetBytesPerRow } = await import('./cost/parquet.js');

  const sample = await measureSample(SAMPLE_EVENTS, config.firehose.packRecordBytes);
  const unpackedSample = await measureSample(SAMPLE_EVENTS, 0);
  const shapes = {
    packed: shapeOf(sample, assumptions.eventBytes),
    unpacked: shapeOf(unpackedSample, assumptions.eventBytes),
  };
  const measured = {
    gzipRatio: sample.gzipRatio,
    parquetBytesPerRow: await parquetBytesPerRow(unpackedSample.validLines, shapes.unpacked.scale),
    alarms: countAlarms(),
    customMetrics: countCustomMetrics(),
    logRetentionDays: logRetentionDays(),
  };
  printShape(unpackedSample, shapes.unpacked, measured);
  printShape(sample, shapes.packed, measured);
  const gate = (minutes: number) => ({ maxDelaySeconds: minutes * 60 });
  // main: before the gate (one run per SQS batch), no compaction, no packing, Kinesis on-demand.
  // defaults: the stack as configured (gate, compaction rules, packing, devices.streamMode,
  // glue.executionClass). flex: the defaults with Glue Flex, its stated start delay included.
  const kinesisMode = config.devices.streamMode === 'PROVISIONED' ? 'provisioned' : 'on-demand';
  const glueClass = config.glue.executionClass === 'FLEX' ? 'FLEX' : 'STANDARD';
  const scenarios = {
    main: { packing: false, kinesis: 'on-demand', glueExecutionClass: 'STANDARD' },
    defaults: {
      gate: gate(DEFAULT_KNOB_MINUTES),
      compaction: true,
      packing: true,
      kinesis: kinesisMode,
      glueExecutionClass: glueClass,
    },
    flex: {
      gate: gate(DEFAULT_KNOB_MINUTES),
      compaction: true,
      packing: true,
      kinesis: kinesisMode,
      glueExecutionClass: 'FLEX',
    },
  } as const;
  const byName: Record<string, Record<string, Awaited<ReturnType<typeof runScenario>>>> = {};
  for (const load of LOADS) {
    const row: Record<string, Awaited<ReturnType<typeof runScenario>>> = {};
    for (const [name, s] of Object.entries(scenarios)) {
      row[name] = await runScenario(shapes, measured, { eventsPerSecond: load, ...s });
      byName[name] = { ...byName[name], [String(load)]: row[name] };
    }
    printLoad(load, row);
  }
  const knobs: Record<string, Record<number, number>> = {};
  for (const load of [10, 100]) {
    for (const minutes of KNOBS_MINUTES) {
      const known = minutes === DEFAULT_KNOB_MINUTES ? byName.defaults?.[String(load)] : undefined;
      const r =
        known ??
        (await runScenario(shapes, measured, { eventsPerSecond: load, ...scenarios.defaults, gate: gate(minutes) }));
      const put = (label: string, value: number) => {
        knobs[label] = { ...knobs[label], [minutes]: value };
      };
      put(String(load), r.usdPerMonth);
      put(`${load} p95`, r.freshnessP95Minutes);
      put(`${load} runs`, r.glueRunsPerDay);
    }
  }
  printKnobs(KNOBS_MINUTES, knobs);
  printVerdict('the defaults', byName.defaults?.['100'] as Awaited<ReturnType<typeof runScenario>>, 0.2);

  const loadsOf = (name: string) =>
    Object.fromEntries(
      Object.entries(byName[name] ?? {}).map(([load, r]) => [
        load,
        {
          usdPerMillionEvents: round(r.usdPerMillionEvents, 4),
          usdPerMonth: round(r.usdPerMonth, 2),
          glueRunsPerDay: r.glueRunsPerDay,
          maxFilesPerClosedPartition: r.maxFilesPerClosedPartition,
          freshnessP95Minutes: round(r.freshnessP95Minutes, 1),
          medianFileMB: round(r.medianFileMB, 1),
          antiJoinMBPerRun: round(r.antiJoinMBPerRun.mean, 2),
          rewritesPerDay: r.rewritesPerDay.closed + r.rewritesPerDay.fileCount,
        },
      ]),
    );
  extraFigures = {
    cost: {
      scenario: `the defaults: gate ${DEFAULT_KNOB_MINUTES} min, compaction rules, packing, Kinesis ${kinesisMode} (${config.devices.shardCount} shard), Glue ${glueClass}`,
      loads: loadsOf('defaults'),
      main: { loads: loadsOf('main') },
      flex: {
        scenario: `the defaults with Glue Flex, ${assumptions.flexStartDelaySeconds / 60} min start delay per run`,
        loads: loadsOf('flex'),
      },
      peers: Object.fromEntries(peers.map((p) => [p.name, p.usdPerMillionEvents])),
      knobs,
      pricesCheckedOn: config.prices.checkedOn,
    },
  };
  return ['defaults', 'flex'].map((name) => targetsOf(name, byName[name] ?? {}));
};

function targetsOf(
  name: string,
  loads: Record<string, Awaited<ReturnType<typeof import('./cost/model.js').runScenario>>>,
): BenchResult {
  const at = (load: number) => loads[String(load)] as NonNullable<(typeof loads)[string]>;
  return {
    name: `cost: ${name} — $/M events, Glue runs, files per closed partition, freshness (docs/cost.md)`,
    figures: {
      'usd/M events @10': round(at(10).usdPerMillionEvents, 3),
      'usd/M events @100_max': round(at(100).usdPerMillionEvents, 3),
      'usd/M events @1000': round(at(1000).usdPerMillionEvents, 3),
      'glue runs/day @10_max': at(10).glueRunsPerDay,
      'files/closed partition_max': Math.max(...Object.values(loads).map((r) => r.maxFilesPerClosedPartition)),
      'p95 − knob, min @100_max': round(at(100).freshnessP95Minutes - DEFAULT_KNOB_MINUTES, 1),
    },
    targets: {
      'usd/M events @100_max': 0.2,
      'glue runs/day @10_max': 48,
      'files/closed partition_max': 2,
      'p95 − knob, min @100_max': 10,
    },
  };
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

export const extra = async (): Promise<Record<string, unknown>> => extraFigures;

export default bench;
