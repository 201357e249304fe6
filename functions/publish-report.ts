// publish-report λ (SQS report-results ← S3 ObjectCreated *.csv under athena-results/): map the
// result to its report and date (the query's marker, via GetQueryExecution), publish it under a
// stable key and keep the report's QuickSight manifest and reports/index.json (conditional writes).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { makeGetQueryExecution } from '#shared/aws/athena.js';
import { wiredOnFirstCall } from '#shared/aws/lambda-entry.js';
import { makeCopyObject, makeGetObject, makeGetObjectWithETag, makePutObject } from '#shared/aws/s3.js';
import { config } from '#shared/config.js';
import { parseEnv, requiredString } from '#shared/env.js';
import { objectsCreated } from '#shared/lake/s3-notifications.js';
import { logger, metrics } from '#shared/observability.js';
import { type PublishPorts, publishReportResult } from '#shared/reports/publishing.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

const outcomeMetric = { published: 'ReportsPublished', stale: 'StaleReportResults', ignored: 'IgnoredResults' };

export const makePublishReportHandler =
  (ports: PublishPorts): SqsHandler =>
  async (event) => {
    const publishResults = async (record: SQSRecord) => {
      const filter = { bucket: ports.reportingBucket, prefix: config.prefixes.reportResults, suffix: '.csv' };
      for (const result of objectsCreated(record.body, filter)) {
        const outcome = await publishReportResult(result, ports);
        metrics.addMetric(outcomeMetric[outcome], MetricUnit.Count, 1);
      }
    };
    // Sequential within a batch; concurrent invocations are safe (conditional index writes).
    return processPartialResponse(event, publishResults, new BatchProcessor(EventType.SQS, { logger }), {
      throwOnFullBatchFailure: false,
      processInParallel: false,
    });
  };

const s3 = new S3Client({});
const athena = new AthenaClient({});
const lambdaHandler: SqsHandler = wiredOnFirstCall(() => {
  const env = parseEnv({ REPORTING_BUCKET: requiredString });
  return makePublishReportHandler({
    getObject: makeGetObject(s3),
    getObjectWithETag: makeGetObjectWithETag(s3),
    getQueryExecution: makeGetQueryExecution(athena),
    putObject: makePutObject(s3),
    copyObject: makeCopyObject(s3),
    reportingBucket: env.REPORTING_BUCKET,
    now: () => new Date(),
  });
});

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
