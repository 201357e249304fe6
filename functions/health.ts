// Health λ (GET /v1/health, no API key) and the JSON 404/405 for every route API Gateway would
// otherwise answer with its own "Missing Authentication Token".

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  corsHeaders,
  defaultIngestSettings,
  errorResponse,
  healthResponse,
  lowerCaseHeaders,
  MethodNotAllowed,
  matchRoute,
  parseOriginList,
  preflightResponse,
} from '#shared/ingest/http.js';
import { logger } from '#shared/observability.js';

export type HealthHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export const makeHealthHandler =
  (
    now: () => number = Date.now,
    allowList: readonly string[] = defaultIngestSettings.corsAllowedOrigins,
  ): HealthHandler =>
  async (event) => {
    const headers = lowerCaseHeaders(event);
    const cors = corsHeaders(headers, allowList);
    try {
      const route = matchRoute(event);
      if (event.httpMethod.toUpperCase() === 'OPTIONS') return preflightResponse(headers, allowList);
      // POST /v1/events goes to the ingest λ; anything else on it reaching here is a wrong method.
      if (route === '/v1/events') throw new MethodNotAllowed(event.httpMethod.toUpperCase(), ['POST', 'OPTIONS']);
      return healthResponse(now(), cors);
    } catch (error) {
      const onUnexpected = (cause: unknown) => logger.error('health request failed', { error: cause as Error });
      return errorResponse(error, {
        headers: cors,
        retryAfterSeconds: defaultIngestSettings.retryAfterSeconds,
        onUnexpected,
      });
    }
  };

// The stage's allow-list (infra/functions/ingest.yml), the same the ingest λ answers with.
export const handler = middy(makeHealthHandler(Date.now, parseOriginList(process.env.CORS_ALLOWED_ORIGINS))).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
