// One Firehose record → one output record: a normalised event (zone events | late), a failed-event
// record (zone failed), or — for a packed record from the ingest λ — the lines of all its events
// under their shared keys. Never throws for bad input: rejection is data.
import { isUtf8 } from 'node:buffer';
import { config, type Zone } from '../config.js';
import { EventRejected, type FailureType } from '../contract/event-contract.js';
import { rememberingIsoMillis, utcDate } from '../contract/event-time.js';
import { normaliseEvent, parseObject } from './normalise-event.js';
import { isPacked, type PackRejected, transformPacked } from './packed-record.js';

const arrivalIso = rememberingIsoMillis();

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
  /** The output lines' JSON, without the last newline (the encoder appends it: no string concatenation per record). */
  json: string;
  failureType?: FailureType;
  /** Events in the record: 1, or the lines of a packed record. */
  events: number;
}

export type RecordOutcome = TransformedRecord | PackRejected;

interface Decoded {
  text: string;
  byteLength: number;
}

/** One record as one event (never unpacked): what callers outside the Firehose batch use. */
export const transformRecord = (record: SourceRecord, context: RecordContext): TransformedRecord =>
  transform(record, context, false) as TransformedRecord;

/** One record of a Firehose batch: a packed record from the direct stream is unpacked. */
export const transformFirehoseRecord = (record: SourceRecord, context: RecordContext): RecordOutcome =>
  transform(record, context, true);

function transform(record: SourceRecord, context: RecordContext, unpacks: boolean): RecordOutcome {
  let decoded: Decoded | undefined;
  let parsed: Record<string, unknown> | undefined;
  try {
    decoded = decodePayload(record.data);
    checkSize(decoded);
    // Only the ingest λ packs, on the direct stream: a device record is always one event.
    // A text that is not even a sequence is one malformed payload, as it would have been before packing.
    if (unpacks && record.kinesisRecordMetadata === undefined && isPacked(decoded.text)) {
      const packed = transformPacked(decoded.text, record);
      if (packed !== undefined) return packed;
    }
    parsed = parseObject(decoded.text);
    return normaliseEvent(parsed, record);
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
    events: 1,
  };
}

function stringField(parsed: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = parsed !== undefined && Object.hasOwn(parsed, name) ? parsed[name] : undefined;
  if (typeof value !== 'string' || value.length > 256) return undefined;
  return name === 'event_id' ? value.toLowerCase() : value;
}
