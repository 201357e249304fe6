// start-reports λ (SQS curated-runs ← S3 ObjectCreated under _runs/): recompute the reports of every
// date a Glue run touched, one Athena query per report and date.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { makeStartQuery } from '#shared/aws/athena.js';
import { wiredOnFirstCall } from '#shared/aws/lambda-entry.js';
import { makeGetObject } from '#shared/aws/s3.js';
import { config } from '#shared/config.js';
import { parseEnv, requiredString } from '#shared/env.js';
import { objectsCreated } from '#shared/lake/s3-notifications.js';
import { logger, metrics } from '#shared/observability.js';
import { defaultReportsDir, loadReportCatalogue } from '#shared/reports/catalogue.js';
import { type ReportPorts, startReportQueries } from '#shared/reports/planning.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface StartReportsPorts extends ReportPorts {
  lakeBucket: string;
}

export const makeStartReportsHandler =
  (ports: StartReportsPorts): SqsHandler =>
  async (event) => {
    const startMarkerQueries = async (record: SQSRecord) => {
      const filter = { bucket: ports.lakeBucket, prefix: config.prefixes.runMarkers, suffix: '.json' };
      for (const marker of objectsCreated(record.body, filter)) {
        const ids = await startReportQueries(marker, ports);
        metrics.addMetric('ReportQueriesStarted', MetricUnit.Count, ids.length);
      }
    };
    // Sequential: parallel messages would multiply the request rate Athena is throttling.
    return processPartialResponse(event, startMarkerQueries, new BatchProcessor(EventType.SQS, { logger }), {
      throwOnFullBatchFailure: false,
      processInParallel: false,
    });
  };

const athena = new AthenaClient({});
const s3 = new S3Client({});
const lambdaHandler: SqsHandler = wiredOnFirstCall(() => {
  const env = parseEnv({
    LAKE_BUCKET: requiredString,
    REPORTING_BUCKET: requiredString,
    ATHENA_WORKGROUP: requiredString,
    ATHENA_DATABASE: requiredString,
  });
  return makeStartReportsHandler({
    getObject: makeGetObject(s3),
    startQuery: makeStartQuery(athena, { workgroup: env.ATHENA_WORKGROUP, database: env.ATHENA_DATABASE }),
    reports: loadReportCatalogue(defaultReportsDir()),
    lakeBucket: env.LAKE_BUCKET,
    reportingBucket: env.REPORTING_BUCKET,
    resultReuseMaxAgeMinutes: config.athena.resultReuseMaxAgeMinutes,
  });
});

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
