// What one ingest request did, as one log line and a few metrics: counts only, never payloads.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../observability.js';
import type { IngestResult } from './response.js';

export interface IngestReport {
  appId: string;
  requestId: string;
  result: IngestResult;
  retried: number;
  attempts: number;
}

export function reportIngest(report: IngestReport): void {
  const { result } = report;
  const counts = {
    accepted: result.accepted,
    rejected: result.rejected.length,
    failed: result.failed?.length ?? 0,
    retried: report.retried,
  };
  logger.info('ingested', { app_id: report.appId, request_id: report.requestId, attempts: report.attempts, ...counts });
  metrics.addMetric('EventsAccepted', MetricUnit.Count, counts.accepted);
  metrics.addMetric('EventsRejected', MetricUnit.Count, counts.rejected);
  metrics.addMetric('EventsFailed', MetricUnit.Count, counts.failed);
  metrics.addMetric('EventsRetried', MetricUnit.Count, counts.retried);
}
