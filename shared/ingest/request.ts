// Ingest request bodies → candidate events: base64 (binary media types), gzip, JSON `{"events": [...]}`
// or NDJSON. Limits are enforced while reading: the gzip inflate stops at the decoded-size limit.
import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { BodyTooLarge, MalformedBody, UnsupportedMediaType } from './errors.js';
import { charsetOf, type HeaderMap, mediaType } from './http-request.js';
import { findDuplicateKey } from './request-keys.js';

export interface BodyLimits {
  maxEventsPerRequest: number;
  maxDecodedBodyBytes: number;
}

export interface RawBody {
  body: string | null;
  isBase64Encoded: boolean;
}

const JSON_TYPES = new Set(['application/json']);
const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl']);

/** The events a request carries, in order, not yet checked one by one. */
export function decodeBody(raw: RawBody, headers: HeaderMap, limits: BodyLimits): unknown[] {
  const type = checkedMediaType(headers['content-type']);
  const bytes = decodedBytes(raw, headers['content-encoding'], limits.maxDecodedBodyBytes);
  if (!isUtf8(bytes)) throw new MalformedBody('body is not valid UTF-8');
  const text = bytes.toString('utf8');
  const events = JSON_TYPES.has(type) ? parseEnvelopeList(text) : parseNdjson(text, limits.maxEventsPerRequest);
  if (events.length === 0) throw new MalformedBody('body holds no events');
  if (events.length > limits.maxEventsPerRequest) {
    throw new BodyTooLarge(`${events.length} events; at most ${limits.maxEventsPerRequest} per request`);
  }
  return events;
}

/** JSON or NDJSON, in UTF-8 (the only encoding JSON may use, RFC 8259): anything else, or no type at all, is 415. */
function checkedMediaType(contentType: string | undefined): string {
  const type = mediaType(contentType);
  if (type === '')
    throw new UnsupportedMediaType('Content-Type is missing; use application/json or application/x-ndjson');
  if (!JSON_TYPES.has(type) && !NDJSON_TYPES.has(type)) {
    throw new UnsupportedMediaType(
      `Content-Type ${type} is not supported; use application/json or application/x-ndjson`,
    );
  }
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaType(`charset ${charset.slice(0, 40)} is not supported; send UTF-8`);
  }
  return type;
}

function decodedBytes(raw: RawBody, contentEncoding: string | undefined, maxBytes: number): Buffer {
  if (raw.body === null || raw.body === '') throw new MalformedBody('body is empty');
  const wire = raw.isBase64Encoded ? Buffer.from(raw.body, 'base64') : Buffer.from(raw.body, 'utf8');
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') {
    if (wire.length > maxBytes) throw tooLarge(maxBytes);
    return wire;
  }
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new UnsupportedMediaType(`Content-Encoding ${encoding} is not supported; use gzip or none`);
  }
  return gunzipWithin(wire, maxBytes);
}

/** Inflates at most `maxBytes`: zlib aborts as soon as the output passes the limit (no gzip bombs). */
function gunzipWithin(compressed: Buffer, maxBytes: number): Buffer {
  try {
    return gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new MalformedBody('body is not valid gzip');
  }
}

const tooLarge = (maxBytes: number): BodyTooLarge =>
  new BodyTooLarge(`decoded body is over the ${maxBytes}-byte limit`);

const ENVELOPE_DEPTHS: ReadonlySet<number> = new Set([1, 3]);
const EVENT_DEPTHS: ReadonlySet<number> = new Set([1]);
/** A key echoed in an answer: at most 64 characters. */
const clip = (key: string): string => (key.length > 64 ? `${key.slice(0, 64)}…` : key);

function parseEnvelopeList(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new MalformedBody(`body is not valid JSON${position === undefined ? '' : ` (at byte ${position})`}`);
  }
  const events = (value as { events?: unknown } | null)?.events;
  if (typeof value !== 'object' || Array.isArray(value) || !Array.isArray(events)) {
    throw new MalformedBody('body must be a JSON object {"events": [...]}');
  }
  // The envelope's keys (depth 1) and each event's (depth 3: {"events": [{…}]}).
  const duplicate = findDuplicateKey(text, ENVELOPE_DEPTHS);
  if (duplicate !== undefined) {
    const where = duplicate.object === 0 ? 'the envelope' : `event index ${duplicate.object - 1}`;
    throw new MalformedBody(`duplicate key "${clip(duplicate.key)}" in ${where}: ambiguous JSON`);
  }
  return events;
}

/** One event per non-blank line; stops reading once the event limit is passed. */
function parseNdjson(text: string, maxEvents: number): unknown[] {
  const events: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && events.length <= maxEvents; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    try {
      events.push(JSON.parse(line));
    } catch {
      throw new MalformedBody(`line ${i + 1} (event index ${events.length}) is not valid JSON`);
    }
    const duplicate = findDuplicateKey(line, EVENT_DEPTHS);
    if (duplicate !== undefined) {
      throw new MalformedBody(
        `duplicate key "${clip(duplicate.key)}" in event index ${events.length - 1}: ambiguous JSON`,
      );
    }
  }
  return events;
}
