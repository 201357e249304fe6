// GET /v1/health: answers without an API key and touches no dependency, so it measures the API
// and the function, not Firehose.
import type { APIGatewayProxyResult } from 'aws-lambda';
import { config } from '../config.js';
import { jsonResponse, type ResponseHeaders } from './http-response.js';

export const healthResponse = (nowMs: number, headers: ResponseHeaders = {}): APIGatewayProxyResult =>
  jsonResponse(
    200,
    { status: 'ok', service: config.service, time: new Date(nowMs).toISOString() },
    {
      ...headers,
      'Cache-Control': 'no-store',
    },
  );
