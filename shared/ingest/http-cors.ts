// CORS for browser apps: only origins on the configured allow-list get Access-Control-* headers.
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HeaderMap } from './http-request.js';
import { errorBody, jsonResponse, type ResponseHeaders } from './http-response.js';

const ALLOWED_METHODS = 'POST, GET, OPTIONS';
const ALLOWED_HEADERS = 'Content-Type, Content-Encoding, X-Api-Key';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export const isOriginAllowed = (origin: string | undefined, allowList: readonly string[]): origin is string =>
  origin !== undefined && (allowList.includes('*') || allowList.includes(origin));

/** Headers for an actual (non-preflight) response. */
export function corsHeaders(headers: HeaderMap, allowList: readonly string[]): ResponseHeaders {
  const origin = headers.origin;
  if (!isOriginAllowed(origin, allowList)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' };
}

/** The answer to an OPTIONS preflight: 204 with the allowed methods and headers, or 403 for other origins. */
export function preflightResponse(headers: HeaderMap, allowList: readonly string[]): APIGatewayProxyResult {
  if (!isOriginAllowed(headers.origin, allowList)) {
    return jsonResponse(403, errorBody('origin_not_allowed', 'this origin may not call the API from a browser'), {
      Vary: 'Origin',
    });
  }
  return {
    statusCode: 204,
    headers: {
      ...corsHeaders(headers, allowList),
      'Access-Control-Allow-Methods': ALLOWED_METHODS,
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_SECONDS,
    },
    body: '',
  };
}
