// A parsed candidate → a normalised event line and its partition keys, or EventRejected. Every
// timestamp written is checked to lie in years 0001–9999 (UTC) and `dt` to be `yyyy-MM-dd`: a value
// outside makes the event an invalid_timestamp failed-event record, never a line Glue cannot cast.
// The ingest edge asks the same questions (eventPartition) to pack events that share their keys.
import {
  assertAttributes,
  assertEnvelope,
  type EventEnvelope,
  EventRejected,
  type EventTime,
} from '../contract/event-contract.js';
import {
  instantOf,
  isoMillis,
  isPartitionDate,
  isRepresentableInstant,
  type NormalisedTime,
  normaliseEventTime,
  rememberingIsoMillis,
  utcDate,
} from '../contract/event-time.js';
import { firstUnrepresentable } from '../contract/unrepresentable-values.js';

const arrivalIso = rememberingIsoMillis();
const edgeIso = rememberingIsoMillis();

export interface EventPartition {
  zone: 'events' | 'late';
  /** Event date for events/, receive date for late/ (one partition per type per day, however old the events). */
  dt: string;
}

/** What the Firehose record tells about the event's arrival (a SourceRecord is one: no copy per record). */
export interface Arrival {
  /** Firehose arrival time, epoch ms. */
  approximateArrivalTimestamp: number;
  kinesisRecordMetadata?: { shardId: string; partitionKey: string };
}

/** Shaped as the transform's output record, so it is answered as it is. */
export interface NormalisedEvent extends EventPartition {
  /** The event type. */
  partitionType: string;
  json: string;
  events: 1;
}

interface Placed extends EventPartition {
  time: NormalisedTime;
  eventTime: string;
  receivedAt: string;
}

/** Zone, dt and the normalised times of a valid envelope arriving at `arrivalMs`. Throws EventRejected. */
function place(event: EventEnvelope, arrivalMs: number): Placed {
  if (!isRepresentableInstant(arrivalMs)) {
    throw new EventRejected('invalid_timestamp', [
      { path: '', message: 'arrival time is not a representable instant' },
    ]);
  }
  const time = normaliseEventTime({
    eventTime: event.event_time,
    sentAt: event.sent_at,
    serverReceivedAt: event.server_received_at,
    receivedAtMs: arrivalMs,
  });
  const eventTime = isoMillis(time.eventTimeMs);
  const receivedAt = arrivalIso(arrivalMs);
  const dt = utcDate(time.late ? receivedAt : eventTime);
  if (!isPartitionDate(dt)) {
    throw new EventRejected('invalid_timestamp', [{ path: '/event_time', message: `gives dt ${dt}, not yyyy-MM-dd` }]);
  }
  return { zone: time.late ? 'late' : 'events', dt, time, eventTime, receivedAt };
}

/** The partition an envelope that passed assertEnvelope and assertAttributes lands in. Throws EventRejected. */
export function eventPartition(event: EventEnvelope, arrivalMs: number): EventPartition {
  const { zone, dt } = place(event, arrivalMs);
  if (event.server_received_at !== undefined) instantOf(event.server_received_at, 'server_received_at');
  if (event.sent_at !== undefined) instantOf(event.sent_at, 'sent_at');
  return { zone, dt };
}

export function normaliseEvent(candidate: Record<string, unknown>, arrival: Arrival): NormalisedEvent {
  assertEnvelope(candidate);
  const event: EventEnvelope = candidate;
  const checked = assertAttributes(event);
  const { zone, dt, time, eventTime, receivedAt } = place(event, arrival.approximateArrivalTimestamp);
  const kinesis = arrival.kinesisRecordMetadata;
  const json = serialise({
    // Lower case: the same UUID in either case is one event (the dedupe key).
    event_id: event.event_id.toLowerCase(),
    event_type: event.event_type,
    event_version: event.event_version ?? 1,
    event_time: eventTime,
    event_time_original: time.original === undefined ? undefined : String(time.original),
    time_correction: time.correction,
    received_at: receivedAt,
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
  return { zone, partitionType: event.event_type, dt, json, events: 1 };
}

export function parseObject(text: string): Record<string, unknown> {
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

/** instantOf refuses anything outside years 0001–9999, so the text written is always 4-digit-year ISO. */
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
