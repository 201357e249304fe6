// The lake and report stages of the simulated days, driven through the REAL handlers:
// start-parquet-job (or a cadence gate feeding the real run planning and StartJobRun arguments), the
// Glue job as a queue of runs with modelled durations, start-reports (real planning: one query per
// report × date of a run marker) and publish-report, each behind its SQS event source mapping.
import type { SQSEvent } from 'aws-lambda';
import { config } from '#shared/config.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import { parseS3Uri, rawEventPartition, runMarkerKey } from '#shared/lake/keys.js';
import { planParquetRuns, rawObjectsIn, startParquetRun } from '#shared/lake/parquet-job-batch.js';
import { defaultReportsDir, loadReportCatalogue } from '#shared/reports/catalogue.js';
import { queryToken } from '#shared/reports/planning.js';
import { makePublishReportHandler } from '../../functions/publish-report.js';
import { makeStartParquetJobHandler } from '../../functions/start-parquet-job.js';
import { makeStartReportsHandler } from '../../functions/start-reports.js';
import { newMessage, sqsRecord } from '../../local/sqs/sqs-event.js';
import { assumptions as A } from './assumptions.js';
import type { FirehoseDay, RawObject } from './firehose-day.js';
import type { CadenceGate, CompactionRule } from './gate.js';
import { makeGlue, type RunRecord } from './lake-glue.js';
import { dayOfDt, dtOf, epochMs, LakeState } from './lake-state.js';
import { EsmQueue, Timeline } from './timeline.js';

export interface LakeOptions {
  gate?: CadenceGate;
  compaction?: CompactionRule;
  gzipRatio: number;
  parquetBytesPerRow: number;
  /** Simulated seconds to run the agenda to (Firehose ran for fewer: the rest drains). */
  horizonSeconds: number;
}

export interface LakeDay {
  state: LakeState;
  runs: RunRecord[];
  /** Invocations and billed ms per λ, by simulated day. */
  lambda: Map<string, { invocations: number; ms: number }>[];
  queues: Record<string, EsmQueue>;
  athena: { day: number; scanned: number }[];
}

const queueIdentity = (name: string) => ({ name, region: 'us-east-1', accountId: '123456789012' });
const sqsEvent = (bodies: string[], now: number, queue: string): SQSEvent => ({
  Records: bodies.map((body) =>
    sqsRecord({ ...newMessage(body, epochMs(now)), receiveCount: 1 }, queueIdentity(queue)),
  ),
});

export async function simulateLake(firehose: FirehoseDay, options: LakeOptions): Promise<LakeDay> {
  const timeline = new Timeline();
  const state = new LakeState(() => timeline.now);
  const lambda: LakeDay['lambda'] = [];
  const bill = (fn: string, ms: number) => {
    const day = Math.floor(timeline.now / 86_400);
    lambda[day] ??= new Map();
    const l = lambda[day].get(fn) ?? { invocations: 0, ms: 0 };
    l.invocations += 1;
    l.ms += ms;
    lambda[day].set(fn, l);
  };
  const reports = loadReportCatalogue(defaultReportsDir());
  const tokens = new Map<string, RunRecord>();
  const queryRuns = new Map<string, RunRecord>();
  const athena: LakeDay['athena'] = [];
  const q = config.queues;

  const glue = makeGlue(timeline, state, options, (run, marker) => {
    for (const p of marker.partitions) for (const r of reports) tokens.set(queryToken(r.name, p.dt, run.id), run);
    const key = runMarkerKey(run.id);
    state.store.set(`lake/${key}`, Buffer.from(JSON.stringify(marker satisfies RunMarker)));
    state.count('s3Put');
    curatedRuns.send(state.notification('lake', key, 200));
  });

  const s3 = state.ports();
  let calls = 0;
  const parquetPorts = {
    startJobRun: async () => {
      calls += 1;
      return `jr_${glue.runs.length + 1}`;
    },
    putObject: s3.putObject,
    lakeBucket: 'lake',
  };
  const startParquetJob = makeStartParquetJobHandler(parquetPorts, ({ started }) => {
    for (const { jobRunId, run } of started) glue.convert(jobRunId, run.keys);
  });
  const startGroups = async (groups: { key: string }[][]) => {
    for (const group of groups) {
      const objects = group.map(({ key }) => ({ bucket: 'ingest', key }));
      for (const run of planParquetRuns([{ messageId: 'gate', objects }])) {
        glue.convert(await startParquetRun(run, parquetPorts), run.keys);
      }
    }
  };
  const counted = (queue: string) => (what: string, n: number) => state.count(`sqs.${queue}.${what}`, n);
  const rawObjects = new EsmQueue(
    timeline,
    q.rawObjects,
    async (bodies, now) => {
      calls = 0;
      if (options.gate) {
        const objects = bodies.flatMap(rawObjectsIn).map(({ key }) => ({
          key,
          size: state.objects.get(key)?.gzipBytes ?? 0,
          announcedAt: now,
        }));
        await startGroups(options.gate.onObjects(objects, now));
      } else {
        await startParquetJob(sqsEvent(bodies, now, 'raw-objects'));
      }
      bill('start-parquet-job', bodies.length * A.handlerMsPerMessage + calls * A.glueStartCallMs);
    },
    counted('rawObjects'),
  );

  const startReports = makeStartReportsHandler({
    getObject: s3.getObject,
    startQuery: async (request) => {
      const id = `q${athena.length + 1}`;
      const out = parseS3Uri(request.outputLocation);
      const dt = /dt=(\d{4}-\d{2}-\d{2})/.exec(out.key)?.[1] as string;
      const day = dayOfDt(dt);
      const isFailed = out.key.includes('failed_events');
      const scanned = isFailed
        ? (state.failedGzipByDay.get(day) ?? 0)
        : state.curatedBytesOfDay(day) * A.reportColumnShare;
      athena.push({ day: Math.floor(timeline.now / 86_400), scanned });
      state.count('s3Get', isFailed ? 1 : state.curatedFilesOfDay(day));
      const run = tokens.get(request.clientRequestToken);
      if (run) {
        queryRuns.set(id, run);
        run.queries += 1;
      }
      timeline.at(timeline.now + A.athenaBaseSeconds + scanned / A.athenaBytesPerSecond, () => {
        const key = `${out.key}${id}.csv`;
        state.store.set(`${out.bucket}/${key}`, Buffer.from('report,rows\n'));
        state.count('s3Put', 2);
        reportResults.send(state.notification(out.bucket, key, 12));
      });
      return id;
    },
    reports,
    lakeBucket: 'lake',
    reportingBucket: 'reporting',
    resultReuseMaxAgeMinutes: config.athena.resultReuseMaxAgeMinutes,
  });
  const curatedRuns = new EsmQueue(
    timeline,
    q.curatedRuns,
    async (bodies, now) => {
      const before = athena.length;
      const answer = await startReports(sqsEvent(bodies, now, 'curated-runs'));
      if (answer.batchItemFailures.length > 0) throw new Error('cost model: start-reports failed a message');
      bill(
        'start-reports',
        bodies.length * (A.handlerMsPerMessage + A.awsCallMs) + (athena.length - before) * A.awsCallMs,
      );
    },
    counted('curatedRuns'),
  );

  const publish = makePublishReportHandler({
    ...s3,
    reportingBucket: 'reporting',
    now: () => new Date(epochMs(timeline.now)),
  });
  const reportResults = new EsmQueue(
    timeline,
    q.reportResults,
    async (bodies, now) => {
      const answer = await publish(sqsEvent(bodies, now, 'report-results'));
      if (answer.batchItemFailures.length > 0) throw new Error('cost model: publish-report failed a message');
      bill('publish-report', bodies.length * (A.handlerMsPerMessage + 4 * A.awsCallMs));
      for (const body of bodies) {
        const id = /\/(q\d+)\.csv/.exec(body)?.[1] as string;
        const run = queryRuns.get(id);
        if (!run) continue;
        run.published += 1;
        if (run.published === run.queries) run.publishedAt = now;
      }
    },
    counted('reportResults'),
  );

  const objects = [...firehose.objects].sort((a, b) => a.deliveredAt - b.deliveredAt);
  let next = 0;
  const deliverDue = () => {
    while (next < objects.length && (objects[next] as RawObject).deliveredAt <= timeline.now) {
      const o = objects[next++] as RawObject;
      const key = `${o.zone}/type=${o.type}/dt=${dtOf(o.day)}/${o.stream}-${next}.gz`;
      const gzipBytes = o.bytes * options.gzipRatio;
      state.objects.set(key, { ...o, gzipBytes });
      state.count('s3Put');
      state.count('firehoseObjects');
      if (o.zone === 'failed') state.failedGzipByDay.set(o.day, (state.failedGzipByDay.get(o.day) ?? 0) + gzipBytes);
      if (rawEventPartition(key)) rawObjects.send(state.notification('ingest', key, Math.round(gzipBytes)));
    }
    if (next < objects.length) timeline.at((objects[next] as RawObject).deliveredAt, deliverDue);
  };
  if (objects.length > 0) timeline.at((objects[0] as RawObject).deliveredAt, deliverDue);
  const gate = options.gate;
  if (gate) {
    for (let t = gate.tickSeconds; t < options.horizonSeconds; t += gate.tickSeconds) {
      timeline.at(t, async () => {
        calls = 0;
        await startGroups(gate.onTick(timeline.now));
        bill('start-parquet-job', A.handlerMsPerMessage + calls * A.glueStartCallMs);
      });
    }
  }
  if (options.compaction) glue.scheduleCompactions(options.compaction, options.horizonSeconds);
  await timeline.run(options.horizonSeconds);
  return { state, runs: glue.runs, lambda, queues: { rawObjects, curatedRuns, reportResults }, athena };
}
