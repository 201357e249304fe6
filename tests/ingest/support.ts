// Builders for ingest tests: API Gateway requests from the fixtures, a Lambda context with a
// clock, and a scripted fake of the PutRecords port that records every call.
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { PutRecordResult, PutRecords } from '#shared/ports.js';
import { unpack } from '#shared/transform/packed-record.js';
import { loadEvent } from '../helpers/events.js';

export const API_KEY = 'Ul7cQm2vX9aB3dE5fG8hJ1kL4nP6rS0tW2yZ4bC6';
export const APP_ID = 'shop-web';
export const NOW_MS = Date.parse('2025-11-22T10:00:00.123Z');

export interface BodyOptions {
  contentType?: string;
  gzip?: boolean;
  base64?: boolean;
}

/** The POST fixture with a new body; API Gateway delivers it base64 (binary media type). */
export function postEvent(body: string | Buffer, options: BodyOptions = {}): APIGatewayProxyEvent {
  const event = loadEvent<APIGatewayProxyEvent>('apigw-post-events');
  const bytes = options.gzip ? gzipSync(body) : Buffer.from(body);
  const base64 = options.base64 ?? true;
  event.headers['Content-Type'] = options.contentType ?? 'application/json';
  if (options.gzip) event.headers['Content-Encoding'] = 'gzip';
  event.body = base64 ? bytes.toString('base64') : bytes.toString('utf8');
  event.isBase64Encoded = base64;
  return event;
}

export const jsonBody = (events: readonly unknown[]): string => JSON.stringify({ events });
export const ndjsonBody = (events: readonly unknown[]): string =>
  `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;

let counter = 0;
export function validEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    event_id: `0b9d3c2e-6f1a-4f4e-9a53-${counter.toString(16).padStart(12, '0')}`,
    event_type: 'page_view',
    event_time: '2025-11-22T09:59:00.000Z',
    user_id: 'user-1',
    attributes: { url: 'https://shop.example.com/' },
    ...overrides,
  };
}

export function lambdaContext(remainingMs = 20_000, now: () => number = Date.now): Context {
  const deadline = now() + remainingMs;
  return {
    awsRequestId: 'lambda-request-1',
    getRemainingTimeInMillis: () => deadline - now(),
  } as unknown as Context;
}

export interface FakeFirehose {
  putRecords: PutRecords;
  /** Every call's events, decoded as JSON (a packed record's events in order). */
  calls: Record<string, unknown>[][];
  /** Every call's records, each as the events it holds. */
  records: Record<string, unknown>[][][];
}

/** The events of one record: one JSON event, or a packed RS/LF sequence of them. */
export function recordEvents(record: Uint8Array): Record<string, unknown>[] {
  const text = Buffer.from(record).toString('utf8');
  const texts = unpack(text) ?? [text];
  return texts.map((t) => JSON.parse(t) as Record<string, unknown>);
}

/** `script(callIndex, recordIndex, firstEventOfRecord)` → true to fail that entry; throws pass through. */
export function fakeFirehose(
  script: (call: number, position: number, record: Record<string, unknown>) => boolean = () => false,
): FakeFirehose {
  const calls: Record<string, unknown>[][] = [];
  const perRecord: Record<string, unknown>[][][] = [];
  const putRecords: PutRecords = async (records) => {
    const decoded = records.map(recordEvents);
    perRecord.push(decoded);
    const call = calls.push(decoded.flat()) - 1;
    return decoded.map(
      ([record = {}], i): PutRecordResult =>
        script(call, i, record)
          ? { ok: false, errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' }
          : { ok: true, recordId: `rec-${call}-${i}` },
    );
  };
  return { putRecords, calls, records: perRecord };
}

export const bodyOf = <T = Record<string, unknown>>(response: APIGatewayProxyResult): T =>
  JSON.parse(response.body) as T;
