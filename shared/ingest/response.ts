// The ingest answer. 200 when any event was accepted, 400 when none was, and 503 + Retry-After as
// soon as one valid event did not reach Firehose: `failed` lists exactly the indexes to send again.
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { PreparedEvents, Rejection } from './events.js';
import { jsonResponse, type ResponseHeaders } from './http-response.js';
import type { PutOutcome } from './put-with-retry.js';

export interface IngestResult {
  accepted: number;
  /** Permanently rejected: sending them again cannot succeed. */
  rejected: Rejection[];
  /** Request indexes of valid events Firehose did not take; only on 503. */
  failed?: number[];
  retryable?: true;
}

export function ingestResult(prepared: PreparedEvents, outcome: PutOutcome): IngestResult {
  // A record holds one event or several packed ones: a failed record fails each of its events.
  const failed = outcome.failed.flatMap((position) => prepared.indexes[position] ?? []).sort((a, b) => a - b);
  const accepted = prepared.indexes.reduce((sum, events) => sum + events.length, 0) - failed.length;
  if (failed.length === 0) return { accepted, rejected: prepared.rejected };
  return { accepted, rejected: prepared.rejected, failed, retryable: true };
}

export function ingestResponse(
  result: IngestResult,
  headers: ResponseHeaders,
  retryAfterSeconds: number,
): APIGatewayProxyResult {
  if (result.failed !== undefined) {
    return jsonResponse(503, result, { ...headers, 'Retry-After': String(retryAfterSeconds) });
  }
  return jsonResponse(result.accepted > 0 ? 200 : 400, result, headers);
}
