// The hostile input corpus for POST /v1/events, as data: what is sent (headers and body bytes, or a
// body cut short or trickled in), who answers (the gateway, i.e. the local API Gateway / API Gateway,
// or the ingest λ) and what: status + `error` code, or the edge's per-event rejection, or an
// acceptance followed by the transform's failure type. Run over HTTP (http.test.ts) and against
// the handler directly (handlers.test.ts). docs/hostile-input.md is this table in prose.
import { gzipSync } from 'node:zlib';
import { config } from '#shared/config.js';
import type { FailureType } from '#shared/contract/event-contract.js';
import {
  eventsBody,
  GZIP_BOMB_INFLATED_BYTES,
  gzipBomb,
  invalidUtf8,
  marker,
  nestedArrayText,
  nestedObjectText,
  pageView,
  withBytes,
} from './payloads.js';

/** The local key of app `shop-web` (config.local.apiKeys); every case sends it unless it tests keys. */
export const VALID_KEY = 'local-key-shop-web';
export const VALID_APP = config.local.apiKeys[VALID_KEY];
export const JSON_TYPE = { 'content-type': 'application/json' };
export const NDJSON_TYPE = { 'content-type': 'application/x-ndjson' };

export type Answer =
  /** The λ refuses the request: `{"error": code, "message": …}`, the message containing `reason` when given. */
  | { status: number; error: string; reason?: string }
  /** API Gateway (locally: local/apigateway/server.ts) refuses it before any λ: `{"message"}` + x-amzn-ErrorType. */
  | { status: number; gatewayError: string }
  /** The λ read the body but rejected its only event: 400 `{"accepted": 0, "rejected": [{reason: "<type>: …"}]}`. */
  | { status: 400; rejected: FailureType }
  /** Accepted at the edge (200); the transform then files it under `failed/` with this type, or curates it. */
  | { status: 200; downstream: FailureType | 'curated'; eventId: string };

export type Wire =
  | { kind: 'whole' }
  /** Content-Length promises more than is sent; then the client half-closes (`fin`) or resets. */
  | { kind: 'truncated'; declaredBytes: number; end: 'fin' | 'reset' }
  /** The body arrives one byte per second: the server's request timeout must answer. */
  | { kind: 'slow' };

export interface IngestCase {
  name: string;
  mark: string;
  headers: Record<string, string>;
  body: () => Buffer | Promise<Buffer>;
  wire: Wire;
  /** Over HTTP. */
  answer: Answer | { status: 'no answer' };
  /** From the λ when invoked directly, where API Gateway would have answered first; else `answer`. */
  direct?: Answer;
  /** A gzip bomb's inflated size: memory must not grow anywhere near it, and the answer must come fast. */
  inflatesTo?: number;
}

const whole: Wire = { kind: 'whole' };
const utf8 = (text: string) => () => Buffer.from(text, 'utf8');

function wholeCase(
  name: string,
  build: (mark: string) => { body: () => Buffer | Promise<Buffer>; headers?: Record<string, string> },
  answer: (mark: string) => Answer,
  direct?: Answer,
): IngestCase {
  const mark = marker(name);
  const { body, headers = JSON_TYPE } = build(mark);
  return {
    name,
    mark,
    headers: { 'x-api-key': VALID_KEY, ...headers },
    body,
    wire: whole,
    answer: answer(mark),
    direct,
  };
}

const single = (event: unknown) => utf8(eventsBody([event]));
const rejected = (type: FailureType) => (): Answer => ({ status: 400, rejected: type });
const error = (status: number, code: string, reason?: string) => (): Answer => ({
  status,
  error: code,
  ...(reason === undefined ? {} : { reason }),
});

/** A page_view whose stamped record (app_id, 13-digit server_received_at, 36-char request_id added) is `bytes` long. */
export function eventOfRecordSize(mark: string, bytes: number): Record<string, unknown> {
  const event = pageView(mark, { attributes: { url: 'https://shop.example.com/', title: '' } });
  const stamp = { app_id: VALID_APP, server_received_at: 1_763_805_600_000, request_id: 'r'.repeat(36) };
  const padding = bytes - Buffer.byteLength(JSON.stringify({ ...event, ...stamp }));
  return {
    ...event,
    attributes: { url: 'https://shop.example.com/', title: `${mark}${'t'.repeat(padding - mark.length)}` },
  };
}

/** Accepted at the edge: the answer names the event id the lake must show it under. `text` edits the JSON body. */
function accepted(
  name: string,
  event: (mark: string) => Record<string, unknown>,
  downstream: FailureType | 'curated',
  text: (json: string, mark: string) => string = (json) => json,
): IngestCase {
  const mark = marker(name);
  const built = event(mark);
  const answer: Answer = { status: 200, downstream, eventId: String(built.event_id) };
  const body = utf8(text(eventsBody([built]), mark));
  return { name, mark, headers: { 'x-api-key': VALID_KEY, ...JSON_TYPE }, body, wire: whole, answer };
}

const overApiLimit = (mark: string): string => {
  const padding = config.api.maxDecodedBodyBytes + 1 - Buffer.byteLength(eventsBody([pageView(mark)]));
  return eventsBody([pageView(mark, { user_id: 'u'.repeat(padding) })]);
};

const gzipOf = (text: string) => () => gzipSync(Buffer.from(text, 'utf8'));
export const DUPLICATE_KEY_IDS = {
  first: '4f1d2c3b-5a69-4788-9a6b-0000000000a1',
  last: '4f1d2c3b-5a69-4788-9a6b-0000000000b2',
};

export function ingestCorpus(): IngestCase[] {
  const tenMiB = 10 * 1024 * 1024;
  return [
    // Sizes
    wholeCase(
      'body over the API limit, raw',
      (m) => ({ body: utf8(overApiLimit(m)) }),
      error(413, 'payload_too_large'),
    ),
    wholeCase(
      'body over the API limit, gzip',
      (m) => ({ body: gzipOf(overApiLimit(m)), headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } }),
      error(413, 'payload_too_large'),
    ),
    wholeCase(
      'body over API Gateway 10 MB',
      (m) => ({ body: utf8(`${m}${' '.repeat(tenMiB + 1 - m.length)}`) }),
      () => ({ status: 413, gatewayError: 'RequestTooLarge' }),
      { status: 413, error: 'payload_too_large' },
    ),
    {
      ...wholeCase(
        'gzip bomb, 1 GiB of zeros in ~1 MB',
        (m) => ({ body: () => gzipBomb(m), headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } }),
        error(413, 'payload_too_large'),
      ),
      inflatesTo: GZIP_BOMB_INFLATED_BYTES,
    },
    wholeCase(
      'gzip truncated halfway',
      (m) => ({
        body: () => gzipOf(eventsBody([pageView(m)]))().subarray(0, 40),
        headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      }),
      error(400, 'malformed_body'),
    ),
    wholeCase(
      'gzip claimed, body not gzip',
      (m) => ({ body: single(pageView(m)), headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } }),
      error(400, 'malformed_body'),
    ),
    // Invalid UTF-8 and a lone surrogate escape
    ...(['overlong', 'surrogate', 'ff'] as const).flatMap((kind) => [
      invalidUtf8Case(kind, 'JSON'),
      invalidUtf8Case(kind, 'NDJSON'),
    ]),
    wholeCase(
      'lone surrogate as a JSON escape',
      (m) => ({ body: utf8(eventsBody([pageView(m)]).replace(m, `${m}\\ud800`)) }),
      rejected('invalid_utf8'),
    ),
    // Nesting
    wholeCase(
      '100k nested arrays as the body',
      (m) => ({ body: utf8(nestedArrayText(100_000, `"${m}"`)) }),
      error(400, 'malformed_body'),
    ),
    wholeCase(
      '100k nested objects in attributes',
      (m) => ({
        body: utf8(
          eventsBody([pageView(m, { attributes: '@@' })]).replace('"@@"', nestedObjectText(100_000, `"${m}"`)),
        ),
      }),
      rejected('size_violation'),
    ),
    // Numbers
    wholeCase(
      '1e400 in attributes',
      (m) => ({
        body: utf8(eventsBody([pageView(m, { attributes: { url: m, duration_ms: '@@' } })]).replace('"@@"', '1e400')),
      }),
      rejected('schema_violation'),
    ),
    wholeCase(
      '1e400 as event_time',
      (m) => ({ body: utf8(eventsBody([pageView(m, { event_time: '@@' })]).replace('"@@"', '1e400')) }),
      rejected('schema_violation'),
    ),
    // Written as raw number literals, exactly as a client would send them.
    ...['-0', '123456789012345678901234567890'].map((literal) =>
      accepted(
        `${literal} in attributes`,
        (m) => pageView(m, { attributes: { url: m, duration_ms: '@@' } }),
        'curated',
        (json) => json.replace('"@@"', literal),
      ),
    ),
    // Strings at and past their limits
    accepted('user_id of 256 characters (the limit)', (m) => pageView(m, { user_id: m.padEnd(256, 'u') }), 'curated'),
    wholeCase(
      'user_id of 257 characters',
      (m) => ({ body: single(pageView(m, { user_id: m.padEnd(257, 'u') })) }),
      rejected('schema_violation'),
    ),
    accepted(
      'event of exactly the Firehose record limit',
      (m) => eventOfRecordSize(m, config.firehose.maxRecordBytes),
      'schema_violation',
    ),
    wholeCase(
      'event one byte over the Firehose record limit',
      (m) => ({ body: single(eventOfRecordSize(m, config.firehose.maxRecordBytes + 1)) }),
      rejected('size_violation'),
    ),
    // Duplicated keys at the envelope level are ambiguous (JSON.parse would keep the last silently): 400
    wholeCase(
      'duplicated event_id key',
      (m) => ({
        body: utf8(
          eventsBody([pageView(m, { event_id: DUPLICATE_KEY_IDS.last })]).replace(
            '{"event_id"',
            `{"event_id":"${DUPLICATE_KEY_IDS.first}","event_id"`,
          ),
        ),
      }),
      error(400, 'malformed_body', 'duplicate key "event_id" in event index 0'),
    ),
    wholeCase(
      'two top-level events keys',
      (m) => ({ body: utf8(`{"events":[${JSON.stringify(pageView(m))}],"events":[${JSON.stringify(pageView(m))}]}`) }),
      error(400, 'malformed_body', 'duplicate key "events" in the envelope'),
    ),
    wholeCase(
      'duplicated key in the third event, spelled with an escape',
      (m) => {
        const [a, b, c] = [pageView(m), pageView(m), pageView(m)].map((e) => JSON.stringify(e));
        const third = (c as string).replace('{', '{"\\u0065vent_time":"2020-01-01T00:00:00Z",');
        return { body: utf8(`{"events":[${a},${b},${third}]}`) };
      },
      error(400, 'malformed_body', 'duplicate key "event_time" in event index 2'),
    ),
    wholeCase(
      'duplicated key in an NDJSON event',
      (m) => ({
        headers: NDJSON_TYPE,
        body: utf8(
          `${JSON.stringify(pageView(m))}\n${JSON.stringify(pageView(m)).replace('{', '{"event_type":"x",')}\n`,
        ),
      }),
      error(400, 'malformed_body', 'duplicate key "event_type" in event index 1'),
    ),
    accepted(
      'a key twice inside attributes (below the envelope level: the last one counts)',
      (m) => pageView(m),
      'curated',
      (json) => json.replace('"attributes":{', '"attributes":{"url":"https://shop.example.com/first",'),
    ),
    // Prototype keys
    wholeCase(
      '__proto__ holding the events',
      (m) => ({ body: utf8(`{"__proto__":${eventsBody([pageView(m)])}}`) }),
      error(400, 'malformed_body'),
    ),
    wholeCase(
      'constructor.prototype at the top',
      (m) => ({ body: utf8(`{"constructor":{"prototype":{"polluted":"${m}"}},"events":{"__proto__":[]}}`) }),
      error(400, 'malformed_body'),
    ),
    wholeCase(
      '__proto__ in an event',
      (m) => ({
        body: utf8(eventsBody([pageView(m)]).replace('{"event_id"', `{"__proto__":{"polluted":"${m}"},"event_id"`)),
      }),
      rejected('schema_violation'),
    ),
    wholeCase(
      'constructor in an event',
      (m) => ({ body: single(pageView(m, { constructor: { prototype: { polluted: m } } })) }),
      rejected('schema_violation'),
    ),
    // Object literals cannot hold an own `__proto__` key: the body is edited as text.
    accepted(
      '__proto__ / constructor / prototype in attributes',
      (m) => pageView(m),
      'schema_violation',
      (json, m) =>
        json.replace(
          '"url"',
          `"__proto__":{"polluted":"${m}"},"constructor":{"prototype":{"polluted":"${m}"}},"prototype":{},"url"`,
        ),
    ),
    // Content types and shapes
    wholeCase(
      'text/plain',
      (m) => ({ body: single(pageView(m)), headers: { 'content-type': 'text/plain' } }),
      error(415, 'unsupported_media_type'),
    ),
    wholeCase(
      'multipart/form-data',
      (m) => ({
        body: utf8(`--b\r\ncontent-disposition: form-data; name="e"\r\n\r\n${m}\r\n--b--`),
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
      }),
      error(415, 'unsupported_media_type'),
    ),
    wholeCase(
      'application/json; charset=latin1',
      (m) => ({
        body: () => withBytes(eventsBody([pageView(`${m}@@`)]), [0xe9]),
        headers: { 'content-type': 'application/json; charset=latin1' },
      }),
      error(415, 'unsupported_media_type'),
    ),
    wholeCase(
      'no Content-Type',
      (m) => ({ body: single(pageView(m)), headers: {} }),
      error(415, 'unsupported_media_type'),
    ),
    wholeCase('empty body', () => ({ body: () => Buffer.alloc(0) }), error(400, 'malformed_body')),
    wholeCase('events is an object', (m) => ({ body: utf8(`{"events":{"${m}":1}}`) }), error(400, 'malformed_body')),
    wholeCase(
      '501 events',
      (m) => ({ body: utf8(eventsBody(Array.from({ length: 501 }, () => pageView(m)))) }),
      error(413, 'payload_too_large'),
    ),
  ];
}

/** Invalid UTF-8 inside an event's URL: every body reaches the λ as base64 bytes (binaryMediaTypes match every type), which refuses it. */
function invalidUtf8Case(kind: keyof typeof invalidUtf8, format: 'JSON' | 'NDJSON'): IngestCase {
  const name = `invalid UTF-8 (${kind}) in ${format}`;
  const mark = marker(name);
  const event = pageView(`${mark}@@`);
  const text = format === 'JSON' ? eventsBody([event]) : `${JSON.stringify(event)}\n`;
  return {
    name,
    mark,
    headers: { 'x-api-key': VALID_KEY, ...(format === 'JSON' ? JSON_TYPE : NDJSON_TYPE) },
    body: () => withBytes(text, invalidUtf8[kind]),
    wire: whole,
    answer: { status: 400, error: 'malformed_body' },
  };
}

/** Cases only the wire can express: nothing for the λ to see. */
export function wireCorpus(): IngestCase[] {
  const build = (name: string, wire: Wire, answer: IngestCase['answer']): IngestCase => {
    const mark = marker(name);
    return {
      name,
      mark,
      headers: { 'x-api-key': VALID_KEY, ...JSON_TYPE },
      body: single(pageView(mark)),
      wire,
      answer,
    };
  };
  return [
    build(
      'truncated body, then FIN',
      { kind: 'truncated', declaredBytes: 4096, end: 'fin' },
      { status: 400, gatewayError: 'BadRequestException' },
    ),
    build(
      'truncated body, then RST',
      { kind: 'truncated', declaredBytes: 4096, end: 'reset' },
      { status: 'no answer' },
    ),
    build('slow body, one byte per second', { kind: 'slow' }, { status: 408, gatewayError: 'RequestTimeoutException' }),
  ];
}
