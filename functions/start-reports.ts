// start-reports λ (SQS curated-runs ← S3 ObjectCreated under _runs/): recompute the reports of every
// date a Glue run touched, one Athena query per report and date, started with bounded concurrency
// within the λ's remaining time; unstarted messages go back to SQS (shared/reports/start-batch.ts).
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { makeStartQuery } from '#shared/aws/athena.js';
import { wiredOnFirstCall } from '#shared/aws/lambda-entry.js';
import { makeGetObject, makeGetObjectWithETag, makePutObject } from '#shared/aws/s3.js';
import { config } from '#shared/config.js';
import { parseEnv, requiredString } from '#shared/env.js';
import { logger, metrics } from '#shared/observability.js';
import type { GetObjectWithETag, PutObject } from '#shared/ports.js';
import { defaultReportsDir, loadReportCatalogue } from '#shared/reports/catalogue.js';
import type { ReportPorts } from '#shared/reports/planning.js';
import { startBatch } from '#shared/reports/start-batch.js';

export type SqsHandler = (
  event: SQSEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<SQSBatchResponse>;

export interface StartReportsPorts extends ReportPorts {
  lakeBucket: string;
  /** With both, a marker cut short by time records its started queries (start-progress.ts). */
  getObjectWithETag?: GetObjectWithETag;
  putObject?: PutObject;
  /** StartQueryExecution calls in flight at once (default config.athena.startQueryConcurrency). */
  concurrency?: number;
  /** Overrides the Lambda context's remaining time (tests drive it with a fake clock). */
  remainingTimeMs?: () => number;
  /** Default config.athena.startReportsReserveSeconds. */
  reserveMs?: number;
}

export const makeStartReportsHandler =
  (ports: StartReportsPorts): SqsHandler =>
  async (event, context) => {
    const fromContext =
      typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined;
    const remainingTimeMs = ports.remainingTimeMs ?? fromContext;
    const outcome = await startBatch(event.Records, ports, {
      lakeBucket: ports.lakeBucket,
      runMarkersPrefix: config.prefixes.runMarkers,
      concurrency: ports.concurrency ?? config.athena.startQueryConcurrency,
      reserveMs: ports.reserveMs ?? config.athena.startReportsReserveSeconds * 1000,
      ...(remainingTimeMs ? { remainingTimeMs } : {}),
      ...(ports.getObjectWithETag && ports.putObject
        ? {
            progress: {
              getObjectWithETag: ports.getObjectWithETag,
              putObject: ports.putObject,
              lakeBucket: ports.lakeBucket,
            },
          }
        : {}),
      // The name only: a message's text can carry the hostile key it failed on.
      onError: (messageId, error) =>
        logger.warn('report queries not started', { messageId, reason: (error as Error | undefined)?.name }),
    });
    metrics.addMetric('ReportQueriesStarted', MetricUnit.Count, outcome.queryIds.length);
    if (outcome.deferred > 0) metrics.addMetric('ReportQueriesDeferred', MetricUnit.Count, outcome.deferred);
    return { batchItemFailures: outcome.failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };

const athena = new AthenaClient({});
const s3 = new S3Client({});
const lambdaHandler: SqsHandler = wiredOnFirstCall(() => {
  const env = parseEnv({
    LAKE_BUCKET: requiredString,
    ATHENA_WORKGROUP: requiredString,
    ATHENA_DATABASE: requiredString,
  });
  return makeStartReportsHandler({
    getObject: makeGetObject(s3),
    getObjectWithETag: makeGetObjectWithETag(s3),
    putObject: makePutObject(s3),
    startQuery: makeStartQuery(athena, { workgroup: env.ATHENA_WORKGROUP, database: env.ATHENA_DATABASE }),
    reports: loadReportCatalogue(defaultReportsDir()),
    lakeBucket: env.LAKE_BUCKET,
    resultReuseMaxAgeMinutes: config.athena.resultReuseMaxAgeMinutes,
  });
});

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
