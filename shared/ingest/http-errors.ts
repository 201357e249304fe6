// The HTTP edge: named errors → status codes and JSON bodies. Unknown errors become a bare 500;
// their details go to the log (through `onUnexpected`), never into a response.
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  BodyTooLarge,
  DependencyUnavailable,
  MalformedBody,
  MethodNotAllowed,
  RouteNotFound,
  UnknownApiKey,
  UnsupportedMediaType,
} from './errors.js';
import { errorBody, jsonResponse, type ResponseHeaders } from './http-response.js';

type ErrorClass = abstract new (...args: never[]) => Error;

const STATUS: ReadonlyArray<[ErrorClass, number, string]> = [
  [MalformedBody, 400, 'malformed_body'],
  [UnknownApiKey, 403, 'forbidden'],
  [RouteNotFound, 404, 'not_found'],
  [MethodNotAllowed, 405, 'method_not_allowed'],
  [BodyTooLarge, 413, 'payload_too_large'],
  [UnsupportedMediaType, 415, 'unsupported_media_type'],
  [DependencyUnavailable, 503, 'unavailable'],
];

export interface ErrorResponseOptions {
  headers: ResponseHeaders;
  retryAfterSeconds: number;
  onUnexpected: (error: unknown) => void;
}

export function errorResponse(error: unknown, options: ErrorResponseOptions): APIGatewayProxyResult {
  const match = STATUS.find(([type]) => error instanceof type);
  if (match === undefined) {
    options.onUnexpected(error);
    return jsonResponse(500, errorBody('internal_error', 'the request could not be processed'), options.headers);
  }
  const [, status, code] = match;
  const message = (error as Error).message;
  if (error instanceof MethodNotAllowed) {
    return jsonResponse(status, errorBody(code, message), { ...options.headers, Allow: error.allowed.join(', ') });
  }
  if (status === 503) {
    return jsonResponse(status, errorBody(code, message, { retryable: true }), {
      ...options.headers,
      'Retry-After': String(options.retryAfterSeconds),
    });
  }
  return jsonResponse(status, errorBody(code, message), options.headers);
}
