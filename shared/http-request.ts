// Reading an API Gateway REST proxy request: header names are case-insensitive, and API Gateway
// delivers them as the client sent them (or null when there are none).
import type { APIGatewayProxyEvent } from 'aws-lambda';

export type HeaderMap = Readonly<Record<string, string>>;

/** Headers with lower-cased names; the first value wins when a client repeats one. */
export function lowerCaseHeaders(event: Pick<APIGatewayProxyEvent, 'headers'>): HeaderMap {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    const key = name.toLowerCase();
    if (value !== undefined && !(key in lowered)) lowered[key] = value;
  }
  return lowered;
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export const mediaType = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
