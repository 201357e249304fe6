// Firehose transform λ: validates and normalises each record, assigns its partition keys.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { logger, metrics } from '#shared/observability.js';
import { type BatchCounts, transformBatch } from '#shared/transform/firehose-batch.js';

export type TransformHandler = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

export const makeTransformHandler =
  (report: (counts: BatchCounts) => void = reportCounts): TransformHandler =>
  async (event) => {
    const { response, counts } = transformBatch(event);
    report(counts);
    return response;
  };

function reportCounts(counts: BatchCounts): void {
  const { packRejections, ...figures } = counts;
  logger.info('transformed batch', { ...figures });
  if (counts.packRejected > 0) {
    // Their raw data is under processing-failed/: `eventlake replay processing-failed` unpacks it.
    logger.warn('packed records answered ProcessingFailed', { packRejected: counts.packRejected, packRejections });
  }
  metrics.addMetric('RecordsIn', MetricUnit.Count, counts.records);
  metrics.addMetric('ValidEvents', MetricUnit.Count, counts.byZone.events);
  metrics.addMetric('LateEvents', MetricUnit.Count, counts.byZone.late);
  metrics.addMetric('FailedEvents', MetricUnit.Count, counts.byZone.failed);
  metrics.addMetric('ResponseOverflow', MetricUnit.Count, counts.overflow);
  metrics.addMetric('PackedRecordsRejected', MetricUnit.Count, counts.packRejected);
  for (const [failureType, count] of Object.entries(counts.byFailureType)) {
    const single = metrics.singleMetric();
    single.addDimension('failure_type', failureType);
    single.addMetric('FailedEventsByType', MetricUnit.Count, count);
  }
}

export const handler = middy(makeTransformHandler()).use(injectLambdaContext(logger)).use(logMetrics(metrics));
