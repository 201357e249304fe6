// start-parquet-job λ: SQS raw-objects ← S3 ObjectCreated under events/, and the cadence tick
// (EventBridge Scheduler, `{ "cadence": "tick" }`). Both go through the cadence gate: announced
// objects are recorded as pending, and a Glue run starts only when the gate decides (docs/lake.md).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { makeStartJobRun } from '#shared/aws/glue.js';
import { wiredOnFirstCall } from '#shared/aws/lambda-entry.js';
import { makeGetObject, makeGetObjectWithETag, makePutObject } from '#shared/aws/s3.js';
import { config } from '#shared/config.js';
import { parseEnv, requiredString } from '#shared/env.js';
import { cadenceSettings, type PendingObject } from '#shared/lake/cadence.js';
import { type GateOutcome, type GatePorts, runGate } from '#shared/lake/gate.js';
import { rawObjectsIn } from '#shared/lake/parquet-job-batch.js';
import { logger, metrics } from '#shared/observability.js';

/** The scheduled tick's own event (infra/functions/lake.yml); `flush` starts whatever is pending. */
export interface CadenceTick {
  cadence: 'tick' | 'flush';
}

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;
export type CadenceTickHandler = (tick: CadenceTick) => Promise<GateOutcome>;

export const isCadenceTick = (event: unknown): event is CadenceTick =>
  typeof event === 'object' &&
  event !== null &&
  ['tick', 'flush'].includes((event as { cadence?: unknown }).cadence as string);

/** The scheduled tick: the same decision with nothing newly announced (leases stale claims too). */
export const makeCadenceTickHandler =
  (ports: GatePorts, report: (outcome: GateOutcome) => void = reportOutcome): CadenceTickHandler =>
  async (tick) => {
    const outcome = await runGate([], ports, { flush: tick.cadence === 'flush' });
    report(outcome);
    return outcome;
  };

/** An SQS batch: every announced object recorded as pending (or the carriers fail), then the decision. */
export function makeStartParquetJobHandler(
  ports: GatePorts,
  report: (outcome: GateOutcome) => void = reportOutcome,
): SqsHandler {
  return async (event) => {
    const failures = new Map<string, unknown>();
    const announced: PendingObject[] = [];
    const carriers: string[] = [];
    const now = ports.now();
    for (const { messageId, body } of event.Records) {
      try {
        const objects = rawObjectsIn(body);
        if (objects.length > 0) carriers.push(messageId);
        for (const { bucket, key, size } of objects) announced.push({ bucket, key, bytes: size, announcedAt: now });
      } catch (error) {
        failures.set(messageId, error);
      }
    }
    if (announced.length > 0) {
      try {
        report(await runGate(announced, ports));
      } catch (error) {
        // Not recorded: no message that carried an object may be acknowledged.
        for (const messageId of carriers) failures.set(messageId, error);
      }
    }
    for (const error of new Set(failures.values())) logger.warn('messages failed', { error: error as Error });
    const failIfNotRecorded = async (record: SQSRecord) => {
      if (failures.has(record.messageId)) throw failures.get(record.messageId);
    };
    return processPartialResponse(event, failIfNotRecorded, new BatchProcessor(EventType.SQS, { logger }), {
      throwOnFullBatchFailure: false,
    });
  };
}

function reportOutcome(outcome: GateOutcome): void {
  for (const { jobRunId, run, claim } of outcome.started) {
    logger.info('glue run started', { jobRunId, claim: claim.id, reason: claim.reason, objects: run.keys.length });
  }
  for (const { claim, error } of outcome.failed) {
    logger.error('glue run not started; the claim is retried once stale', { claim: claim.id, error: error as Error });
  }
  metrics.addMetric('GlueRunsStarted', MetricUnit.Count, outcome.started.length);
  metrics.addMetric('GlueRunStartFailures', MetricUnit.Count, outcome.failed.length);
  metrics.addMetric('GatePendingObjects', MetricUnit.Count, outcome.pendingObjects);
  metrics.addMetric('GatePendingBytes', MetricUnit.Bytes, outcome.pendingBytes);
  metrics.addMetric('GateObjectsAlreadyClaimed', MetricUnit.Count, outcome.alreadyClaimed);
}

const glue = new GlueClient({});
const s3 = new S3Client({});
const lambdaHandler = wiredOnFirstCall(() => {
  const env = parseEnv({ GLUE_JOB_NAME: requiredString, LAKE_BUCKET: requiredString });
  const ports: GatePorts = {
    startJobRun: makeStartJobRun(glue, env.GLUE_JOB_NAME),
    putObject: makePutObject(s3),
    getObject: makeGetObject(s3),
    getObjectWithETag: makeGetObjectWithETag(s3),
    lakeBucket: env.LAKE_BUCKET,
    now: () => Date.now(),
    settings: cadenceSettings(),
    staleClaimMs: config.glue.cadence.staleClaimMinutes * 60_000,
  };
  const onBatch = makeStartParquetJobHandler(ports);
  const onTick = makeCadenceTickHandler(ports);
  return (event: SQSEvent | CadenceTick): Promise<SQSBatchResponse | GateOutcome> =>
    isCadenceTick(event) ? onTick(event) : onBatch(event);
});

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
