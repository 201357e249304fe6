// The lake and report stages of the simulated days, driven through the REAL handlers:
// start-parquet-job with the project's cadence gate (its SQS handler and its scheduled tick, on the
// simulated clock; or, without a gate, the pre-gate batch core: one run per SQS batch), the Glue job
// as a queue of runs with modelled durations, start-reports (real planning: one query per report ×
// date of a run marker, each query string opening with its report marker; results land at
// athena-results/<queryId>.csv, the workgroup's one location) and publish-report (which maps a result
// back to its report and date through GetQueryExecution), each behind its SQS event source mapping.
import type { SQSEvent } from 'aws-lambda';
import { config } from '#shared/config.js';
import type { GateOutcome, GatePorts } from '#shared/lake/gate.js';
import type { RunMarker } from '#shared/lake/glue-run.js';
import { rawEventPartition, runMarkerKey } from '#shared/lake/keys.js';
import { planParquetRuns, rawObjectsIn, startParquetRun } from '#shared/lake/parquet-job-batch.js';
import type { QueryExecutionSummary, QueryRequest } from '#shared/ports.js';
import { defaultReportsDir, loadReportCatalogue } from '#shared/reports/catalogue.js';
import { queryToken } from '#shared/reports/planning.js';
import { parseReportQueryMarker } from '#shared/reports/query-marker.js';
import { makePublishReportHandler } from '../../functions/publish-report.js';
import { makeCadenceTickHandler, makeStartParquetJobHandler } from '../../functions/start-parquet-job.js';
import { makeStartReportsHandler } from '../../functions/start-reports.js';
import { newMessage, sqsRecord } from '../../local/sqs/sqs-event.js';
import { assumptions as A } from './assumptions.js';
import type { FirehoseDay, RawObject } from './firehose-day.js';
import type { LakeGate } from './gate.js';
import { type GlueOptions, makeGlue, type RunRecord } from './lake-glue.js';
import { dayOfDt, dtOf, epochMs, LakeState } from './lake-state.js';
import { EsmQueue, Timeline } from './timeline.js';

export interface LakeOptions extends GlueOptions {
  /** The real cadence gate's settings; undefined: the pre-gate baseline (one run per SQS batch). */
  gate?: LakeGate;
  gzipRatio: number;
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
  const sourceOf = new Map(reports.map((r) => [r.name, r.source]));
  const tokens = new Map<string, RunRecord>();
  const queryRuns = new Map<string, RunRecord>();
  const athena: LakeDay['athena'] = [];
  const q = config.queues;
  const now = () => epochMs(timeline.now);

  const glue = makeGlue(timeline, state, options, (run, marker) => {
    for (const p of marker.partitions) for (const r of reports) tokens.set(queryToken(r.name, p.dt, run.id), run);
    const key = runMarkerKey(run.id);
    state.set(`lake/${key}`, Buffer.from(JSON.stringify(marker satisfies RunMarker)));
    state.count('s3Put');
    curatedRuns.send(state.notification('lake', key, 200));
  });

  // AWS calls a λ makes in one invocation (S3, Athena), billed at A.awsCallMs each; StartJobRun apart.
  let awsCalls = 0;
  let glueStarts = 0;
  let jobRuns = 0;
  const s3 = state.ports(() => {
    awsCalls += 1;
  });
  const startJobRun = async () => {
    glueStarts += 1;
    jobRuns += 1;
    return `jr_${jobRuns}`;
  };
  const gate = options.gate;
  const gatePorts: GatePorts | undefined = gate && {
    ...s3,
    startJobRun,
    lakeBucket: 'lake',
    now,
    settings: gate.settings,
    staleClaimMs: gate.staleClaimMs,
  };
  const onGate = (outcome: GateOutcome) => {
    if (outcome.failed.length > 0) throw new Error('cost model: the gate failed to start a claim');
    for (const { jobRunId, run } of outcome.started) glue.convert(jobRunId, run.keys);
  };
  const startParquetJob = gatePorts && makeStartParquetJobHandler(gatePorts, onGate);
  const cadenceTick = gatePorts && makeCadenceTickHandler(gatePorts, onGate);
  const billParquet = (messages: number) => {
    bill(
      'start-parquet-job',
      messages * A.handlerMsPerMessage + glueStarts * A.glueStartCallMs + awsCalls * A.awsCallMs,
    );
  };
  const counted = (queue: string) => (what: string, n: number) => state.count(`sqs.${queue}.${what}`, n);
  const rawObjects = new EsmQueue(
    timeline,
    q.rawObjects,
    async (bodies, at) => {
      awsCalls = 0;
      glueStarts = 0;
      const event = sqsEvent(bodies, at, 'raw-objects');
      if (startParquetJob) {
        const answer = await startParquetJob(event);
        if (answer.batchItemFailures.length > 0) throw new Error('cost model: start-parquet-job failed a message');
      } else {
        // The pre-gate baseline: every SQS batch starts its own run(s).
        const messages = event.Records.map((r) => ({ messageId: r.messageId, objects: rawObjectsIn(r.body) }));
        for (const run of planParquetRuns(messages)) {
          glue.convert(await startParquetRun(run, { ...s3, startJobRun, lakeBucket: 'lake' }), run.keys);
        }
      }
      billParquet(bodies.length);
    },
    counted('rawObjects'),
  );

  // Athena in the workgroup that enforces its result location: `athena-results/<queryId>.csv` in the
  // reporting bucket; a request's token starts one query; reuse (when asked) of the same query string.
  const executions = new Map<string, QueryExecutionSummary>();
  const idByToken = new Map<string, string>();
  const lastRun = new Map<string, number>();
  const startQuery = async (request: QueryRequest): Promise<string> => {
    awsCalls += 1;
    const known = idByToken.get(request.clientRequestToken);
    if (known) return known;
    const id = `q${executions.size + 1}`;
    idByToken.set(request.clientRequestToken, id);
    const marker = parseReportQueryMarker(request.queryString);
    if (!marker) throw new Error('cost model: a report query without its marker line');
    const execution: QueryExecutionSummary = {
      QueryExecutionId: id,
      Query: request.queryString,
      WorkGroup: config.athena.workgroup,
      ResultConfiguration: { OutputLocation: `s3://reporting/${config.prefixes.reportResults}${id}.csv` },
      Status: { State: 'SUCCEEDED' },
    };
    executions.set(id, execution);
    const previous = lastRun.get(request.queryString);
    const maxAge = Math.min(request.resultReuseMaxAgeMinutes ?? 0, 7 * 24 * 60) * 60;
    if (previous !== undefined && timeline.now - previous <= maxAge) {
      // Reused: nothing scanned, nothing written (so nothing to publish: the earlier result stands).
      athena.push({ day: Math.floor(timeline.now / 86_400), scanned: 0 });
      return id;
    }
    lastRun.set(request.queryString, timeline.now);
    const day = dayOfDt(marker.dt);
    const isFailed = sourceOf.get(marker.report) === 'failed_events';
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
      const key = `${config.prefixes.reportResults}${id}.csv`;
      state.set(`reporting/${key}`, Buffer.from('report,rows\n'));
      state.count('s3Put', 2);
      reportResults.send(state.notification('reporting', key, 12));
    });
    return id;
  };
  const getQueryExecution = async (id: string): Promise<QueryExecutionSummary> => {
    awsCalls += 1;
    const execution = executions.get(id);
    if (!execution) throw Object.assign(new Error(`no query ${id}`), { name: 'InvalidRequestException' });
    return structuredClone(execution);
  };

  const startReports = makeStartReportsHandler({
    ...s3,
    startQuery,
    reports,
    lakeBucket: 'lake',
    resultReuseMaxAgeMinutes: config.athena.resultReuseMaxAgeMinutes,
  });
  const curatedRuns = new EsmQueue(
    timeline,
    q.curatedRuns,
    async (bodies, at) => {
      awsCalls = 0;
      const answer = await startReports(sqsEvent(bodies, at, 'curated-runs'));
      if (answer.batchItemFailures.length > 0) throw new Error('cost model: start-reports failed a message');
      bill('start-reports', bodies.length * A.handlerMsPerMessage + awsCalls * A.awsCallMs);
    },
    counted('curatedRuns'),
  );

  const publish = makePublishReportHandler({
    ...s3,
    getQueryExecution,
    reportingBucket: 'reporting',
    now: () => new Date(now()),
  });
  const reportResults = new EsmQueue(
    timeline,
    q.reportResults,
    async (bodies, at) => {
      awsCalls = 0;
      const answer = await publish(sqsEvent(bodies, at, 'report-results'));
      if (answer.batchItemFailures.length > 0) throw new Error('cost model: publish-report failed a message');
      bill('publish-report', bodies.length * A.handlerMsPerMessage + awsCalls * A.awsCallMs);
      for (const body of bodies) {
        const id = /\/(q\d+)\.csv/.exec(body)?.[1] as string;
        const run = queryRuns.get(id);
        if (!run) continue;
        run.published += 1;
        if (run.published === run.queries) run.publishedAt = at;
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
  if (cadenceTick && gate) {
    // The scheduled cadence tick (EventBridge Scheduler, glue.cadence.tickMinutes).
    for (let t = gate.tickSeconds; t < options.horizonSeconds; t += gate.tickSeconds) {
      timeline.at(t, async () => {
        awsCalls = 0;
        glueStarts = 0;
        await cadenceTick({ cadence: 'tick' });
        billParquet(1);
      });
    }
  }
  await timeline.run(options.horizonSeconds);
  return { state, runs: glue.runs, lambda, queues: { rawObjects, curatedRuns, reportResults }, athena };
}
