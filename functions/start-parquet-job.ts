// start-parquet-job λ (SQS raw-objects ← S3 ObjectCreated under events/): one Glue run per batch.
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
import { makePutObject } from '#shared/aws/s3.js';
import { parseEnv, requiredString } from '#shared/env.js';
import { type ParquetBatchOutcome, type ParquetJobPorts, startParquetRuns } from '#shared/lake/parquet-job-batch.js';
import { logger, metrics } from '#shared/observability.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export const makeStartParquetJobHandler =
  (ports: ParquetJobPorts, report: (outcome: ParquetBatchOutcome) => void = reportOutcome): SqsHandler =>
  async (event) => {
    const outcome = await startParquetRuns(event.Records, ports);
    report(outcome);
    // The run was started (or not) for the whole batch above; the processor only maps outcomes to messages.
    const failIfItsRunFailed = async (record: SQSRecord) => {
      if (outcome.failures.has(record.messageId)) throw outcome.failures.get(record.messageId);
    };
    return processPartialResponse(event, failIfItsRunFailed, new BatchProcessor(EventType.SQS, { logger }), {
      throwOnFullBatchFailure: false,
    });
  };

function reportOutcome({ started, failures }: ParquetBatchOutcome): void {
  for (const { jobRunId, run } of started) {
    logger.info('glue run started', { jobRunId, objects: run.keys.length, partitions: run.partitions.length });
  }
  for (const error of new Set(failures.values())) logger.warn('messages failed', { error: error as Error });
  metrics.addMetric('GlueRunsStarted', MetricUnit.Count, started.length);
  metrics.addMetric('RawObjectMessagesFailed', MetricUnit.Count, failures.size);
}

const glue = new GlueClient({});
const s3 = new S3Client({});
const lambdaHandler: SqsHandler = wiredOnFirstCall(() => {
  const env = parseEnv({ GLUE_JOB_NAME: requiredString, LAKE_BUCKET: requiredString });
  const ports = { startJobRun: makeStartJobRun(glue, env.GLUE_JOB_NAME), putObject: makePutObject(s3) };
  return makeStartParquetJobHandler({ ...ports, lakeBucket: env.LAKE_BUCKET });
});

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
