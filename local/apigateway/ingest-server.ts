// The local API Gateway: POST /v1/events through the ingest handler into the direct delivery
// stream, GET /v1/health, JSON 404/405 elsewhere, and the dashboard at / — on 127.0.0.1 only.
import path from 'node:path';
import { config } from '#shared/config.js';
import { localAppResolver } from '#shared/ingest/apps.js';
import { type HealthHandler, makeHealthHandler } from '../../functions/health.js';
import { makeIngestHandler } from '../../functions/ingest.js';
import type { LocalPipeline } from '../pipeline/pipeline.js';
import { localBucketNames } from '../s3/buckets.js';
import { type RunningServer, startHttpServer } from './server.js';

/** Local key value → key id, like API Gateway's key ids. */
const keyIds = (): Record<string, string> =>
  Object.fromEntries(Object.entries(config.local.apiKeys).map(([key, app]) => [key, `local-${app}`]));

export function startIngestServer(pipeline: LocalPipeline, port: number = config.local.port): Promise<RunningServer> {
  const ingest = makeIngestHandler({
    putRecords: pipeline.putRecords,
    resolveApp: localAppResolver(config.local.apiKeys),
  });
  const health = withRuntimeHealth(makeHealthHandler(), () => pipeline.health());
  return startHttpServer({
    port,
    routes: [
      { method: 'POST', path: '/v1/events', handler: ingest, private: true, functionName: 'ingest' },
      { method: 'OPTIONS', path: '/v1/events', handler: ingest, functionName: 'ingest' },
      { method: 'GET', path: '/v1/health', handler: health, functionName: 'health' },
      { method: 'ANY', path: '/v1/{proxy+}', handler: health, functionName: 'health' },
    ],
    staticDir: path.join(pipeline.dataDir, localBucketNames.reporting, config.prefixes.reports),
    apiKeys: keyIds(),
    // As provider.apiGateway.binaryMediaTypes in serverless.yml: every body reaches the λ as base64.
    binaryMediaTypes: ['*/*'],
  });
}

/**
 * The health λ's answer, made red by the local runtime's own state: while a journal or S3 write fails,
 * GET /v1/health answers 503 with Retry-After and names the cause (the pipeline's health hook).
 */
export function withRuntimeHealth(
  handler: HealthHandler,
  runtime: () => { ok: boolean; cause?: string },
  retryAfterSeconds = config.api.retryAfterSeconds,
): HealthHandler {
  return async (event) => {
    const answer = await handler(event);
    const state = runtime();
    if (answer.statusCode !== 200 || state.ok) return answer;
    const body = { ...(JSON.parse(answer.body) as Record<string, unknown>), status: 'unavailable', cause: state.cause };
    const headers = { ...answer.headers, 'Retry-After': String(retryAfterSeconds) };
    return { ...answer, statusCode: 503, headers, body: JSON.stringify(body) };
  };
}
