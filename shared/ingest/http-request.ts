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

/** The `charset` parameter, lower-cased and unquoted: `text/plain; charset="Latin1"` → `latin1`; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const [name, value] = parameter.split('=', 2).map((part) => part.trim());
    if (name?.toLowerCase() === 'charset' && value !== undefined) return value.replace(/^"|"$/g, '').toLowerCase();
  }
  return undefined;
}
