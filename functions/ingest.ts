// Ingest API λ (POST /v1/events): events from apps → the direct Firehose stream. Answers 2xx only
// for events Firehose accepted; 503 + Retry-After names the indexes to send again.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makeLookupKeyName } from '#shared/aws/api-gateway.js';
import { makePutRecords } from '#shared/aws/firehose.js';
import { wiredOnFirstCall } from '#shared/aws/lambda-entry.js';
import { optionalString, parseEnv, requiredString } from '#shared/env.js';
import {
  corsHeaders,
  decodeBody,
  defaultIngestSettings,
  edgeStampFor,
  errorResponse,
  healthResponse,
  type IngestReport,
  type IngestSettings,
  ingestResponse,
  ingestResult,
  keyNameAppResolver,
  lowerCaseHeaders,
  matchRoute,
  parseOriginList,
  preflightResponse,
  prepareEvents,
  putWithRetry,
  type ResolveApp,
  reportIngest,
  UnknownApiKey,
} from '#shared/ingest/index.js';
import { logger, metrics } from '#shared/observability.js';
import type { PutRecords } from '#shared/ports.js';

export interface IngestDeps {
  putRecords: PutRecords;
  resolveApp: ResolveApp;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  settings?: Partial<IngestSettings>;
  report?: (report: IngestReport) => void;
}

export type IngestHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export function makeIngestHandler(deps: IngestDeps): IngestHandler {
  const settings: IngestSettings = { ...defaultIngestSettings, ...deps.settings };
  const { now = Date.now, random = Math.random, sleep = delay, report = reportIngest } = deps;
  return async (event, context) => {
    const headers = lowerCaseHeaders(event);
    const cors = corsHeaders(headers, settings.corsAllowedOrigins);
    try {
      const route = matchRoute(event);
      if (event.httpMethod.toUpperCase() === 'OPTIONS') return preflightResponse(headers, settings.corsAllowedOrigins);
      if (route === '/v1/health') return healthResponse(now(), cors);
      const appId = await deps.resolveApp(event.requestContext.identity);
      if (appId === undefined) throw new UnknownApiKey();
      const stamp = edgeStampFor(event, appId, now(), settings);
      const prepared = prepareEvents(decodeBody(event, headers, settings), stamp, settings);
      const remainingMs = () => context.getRemainingTimeInMillis();
      const outcome = await putWithRetry(prepared.records, { putRecords: deps.putRecords, remainingMs, sleep, random });
      const result = ingestResult(prepared, outcome);
      report({ appId, requestId: stamp.requestId, result, retried: outcome.retried, attempts: outcome.attempts });
      return ingestResponse(result, cors, settings.retryAfterSeconds);
    } catch (error) {
      const onUnexpected = (cause: unknown) => logger.error('ingest request failed', { error: cause as Error });
      return errorResponse(error, { headers: cors, retryAfterSeconds: settings.retryAfterSeconds, onUnexpected });
    }
  };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const firehose = new FirehoseClient({ requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 } });
const apiGateway = new APIGatewayClient({});

const lambdaHandler: IngestHandler = wiredOnFirstCall(() => {
  const env = parseEnv({
    DELIVERY_STREAM_NAME: requiredString,
    API_KEY_NAME_PREFIX: requiredString,
    USAGE_PLAN_NAME: requiredString,
    CORS_ALLOWED_ORIGINS: optionalString(''),
  });
  return makeIngestHandler({
    putRecords: makePutRecords(firehose, env.DELIVERY_STREAM_NAME),
    resolveApp: keyNameAppResolver(makeLookupKeyName(apiGateway, env.USAGE_PLAN_NAME), {
      namePrefix: env.API_KEY_NAME_PREFIX,
    }),
    settings: { corsAllowedOrigins: parseOriginList(env.CORS_ALLOWED_ORIGINS) },
  });
});

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
