// The local API Gateway: POST /v1/events through the ingest handler into the direct delivery
// stream, GET /v1/health, JSON 404/405 elsewhere, and the dashboard at / — on 127.0.0.1 only.
import path from 'node:path';
import { config } from '#shared/config.js';
import { localAppResolver } from '#shared/ingest/apps.js';
import { makeHealthHandler } from '../../functions/health.js';
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
  const health = makeHealthHandler();
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
