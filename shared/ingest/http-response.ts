// JSON responses for API Gateway REST proxy integrations.
import type { APIGatewayProxyResult } from 'aws-lambda';

export type ResponseHeaders = Record<string, string>;

export const jsonResponse = (
  statusCode: number,
  body: object,
  headers: ResponseHeaders = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** The body of every non-2xx answer that is not an ingest result: a stable code and a readable message. */
export const errorBody = (error: string, message: string, extra: object = {}): object => ({ error, message, ...extra });
