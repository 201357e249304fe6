// One Firehose record → one output line: a normalised event (zone events | late) or a
// failed-event record (zone failed). Never throws for bad input: rejection is data.
import { isUtf8 } from 'node:buffer';
import { config, type Zone } from '../config.js';
import {
  assertAttributes,
  assertEnvelope,
  type EventEnvelope,
  EventRejected,
  type EventTime,
  type FailureType,
} from '../contract/event-contract.js';
import { instantOf, isoMillis, normaliseEventTime, rememberingIsoMillis, utcDate } from '../contract/event-time.js';
import { firstUnrepresentable } from '../contract/unrepresentable-values.js';

const arrivalIso = rememberingIsoMillis();
const edgeIso = rememberingIsoMillis();

export interface SourceRecord {
  recordId: string;
  /** Base64 payload as Firehose delivers it. */
  data: string;
  approximateArrivalTimestamp: number;
  kinesisRecordMetadata?: { shardId: string; partitionKey: string };
}

export interface RecordContext {
  deliveryStream: string;
}

export interface TransformedRecord {
  zone: Zone;
  /** Event type for events/late, failure type for failed. */
  partitionType: string;
  dt: string;
  /** The output line's JSON, without its newline (the encoder appends it: no string concatenation per record). */
  json: string;
  failureType?: FailureType;
}

interface Decoded {
  text: string;
  byteLength: number;
}

export function transformRecord(record: SourceRecord, context: RecordContext): TransformedRecord {
  let decoded: Decoded | undefined;
  let parsed: Record<string, unknown> | undefined;
  try {
    decoded = decodePayload(record.data);
    checkSize(decoded);
    parsed = parseObject(decoded.text);
    return validEvent(parsed, record);
  } catch (error) {
    if (!(error instanceof EventRejected)) throw error;
    return failedEventRecord(error, record, context, decoded, parsed);
  }
}

/** Decoding happens into one reused buffer: a fresh Buffer per record costs more than the decode. */
let scratch = Buffer.allocUnsafe(64 * 1024);
const MAX_SCRATCH_BYTES = 2 * 1024 * 1024;

function decodePayload(data: string): Decoded {
  const expected = Buffer.byteLength(data, 'base64');
  if (expected > scratch.length && expected <= MAX_SCRATCH_BYTES) scratch = Buffer.allocUnsafe(expected);
  const into = expected <= scratch.length ? scratch : Buffer.allocUnsafe(expected);
  // Node skips characters outside the alphabet, so a shorter result means the input was not base64.
  const length = into.write(data, 'base64');
  if (data.length % 4 !== 0 || length !== expected) {
    throw new EventRejected('invalid_base64', [{ path: '', message: 'record data is not valid base64' }]);
  }
  const text = into.toString('utf8', 0, length);
  // Decoding turns every invalid sequence into U+FFFD: only a text holding one needs the strict check.
  if (text.includes('\uFFFD') && !isUtf8(into.subarray(0, length))) {
    throw new EventRejected('invalid_utf8', [{ path: '', message: 'payload is not valid UTF-8' }]);
  }
  return { text, byteLength: length };
}

function checkSize(decoded: Decoded): void {
  const bytes = decoded.byteLength;
  if (bytes > config.firehose.maxRecordBytes) {
    throw new EventRejected('size_violation', [
      { path: '', message: `record is ${bytes} bytes, over the ${config.firehose.maxRecordBytes}-byte limit` },
    ]);
  }
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  // Malformed input is expected traffic: skip capturing a stack trace for its SyntaxError.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EventRejected('malformed_json', [{ path: '', message: (error as SyntaxError).message }]);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new EventRejected('not_an_object', [{ path: '', message: `payload is ${kind}, expected one event object` }]);
  }
  return value as Record<string, unknown>;
}

function validEvent(candidate: Record<string, unknown>, record: SourceRecord): TransformedRecord {
  assertEnvelope(candidate);
  const event: EventEnvelope = candidate;
  const checked = assertAttributes(event);
  const time = normaliseEventTime({
    eventTime: event.event_time,
    sentAt: event.sent_at,
    serverReceivedAt: event.server_received_at,
    receivedAtMs: record.approximateArrivalTimestamp,
  });
  const kinesis = record.kinesisRecordMetadata;
  const eventTime = isoMillis(time.eventTimeMs);
  const json = serialise({
    event_id: event.event_id,
    event_type: event.event_type,
    event_version: event.event_version ?? 1,
    event_time: eventTime,
    event_time_original: time.original === undefined ? undefined : String(time.original),
    time_correction: time.correction,
    received_at: arrivalIso(record.approximateArrivalTimestamp),
    server_received_at: optionalInstant(event.server_received_at, 'server_received_at', edgeIso),
    sent_at: optionalInstant(event.sent_at, 'sent_at'),
    app_id: event.app_id,
    device_id: event.device_id,
    user_id: event.user_id,
    session_id: event.session_id,
    request_id: event.request_id,
    source_ip: event.source_ip,
    user_agent: event.user_agent,
    ingest_source: kinesis ? 'kinesis' : 'direct',
    ingest_shard_id: kinesis?.shardId,
    ingest_partition_key: kinesis?.partitionKey,
    attributes: event.attributes,
  });
  const unrepresentable = firstUnrepresentable(candidate, json, checked);
  if (unrepresentable) throw new EventRejected(unrepresentable.failureType, [unrepresentable.error]);
  return { zone: time.late ? 'late' : 'events', partitionType: event.event_type, dt: utcDate(eventTime), json };
}

const optionalInstant = (value: EventTime | undefined, field: string, format = isoMillis): string | undefined =>
  value === undefined ? undefined : format(instantOf(value, field));

function serialise(value: object): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // Only pathological nesting can make stringify fail on parsed JSON.
    throw new EventRejected('size_violation', [
      { path: '/attributes', message: `cannot be serialised: ${(error as Error).message}` },
    ]);
  }
}

function failedEventRecord(
  rejection: EventRejected,
  record: SourceRecord,
  context: RecordContext,
  decoded: Decoded | undefined,
  parsed: Record<string, unknown> | undefined,
): TransformedRecord {
  const kinesis = record.kinesisRecordMetadata;
  const asText = decoded !== undefined;
  const receivedAt = arrivalIso(record.approximateArrivalTimestamp);
  const json = JSON.stringify({
    failure_type: rejection.failureType,
    errors: rejection.errors,
    payload: asText ? decoded?.text : record.data,
    payload_encoding: asText ? 'text' : 'base64',
    event_id: stringField(parsed, 'event_id'),
    event_type: stringField(parsed, 'event_type'),
    received_at: receivedAt,
    ingest_source: kinesis ? 'kinesis' : 'direct',
    ingest_shard_id: kinesis?.shardId,
    ingest_partition_key: kinesis?.partitionKey,
    delivery_stream: context.deliveryStream,
    record_id: record.recordId,
  });
  return {
    zone: 'failed',
    partitionType: rejection.failureType,
    dt: utcDate(receivedAt),
    json,
    failureType: rejection.failureType,
  };
}

function stringField(parsed: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = parsed !== undefined && Object.hasOwn(parsed, name) ? parsed[name] : undefined;
  return typeof value === 'string' && value.length <= 256 ? value : undefined;
}
