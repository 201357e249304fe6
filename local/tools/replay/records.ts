// What `eventlake replay` reads back from the ingest bucket and how each line becomes the bytes a
// client originally sent: a failed-event record's payload, or a Firehose error record's rawData
// (for partitioning failures that data is the transform's output, so the envelope is rebuilt).
import { gunzipSync } from 'node:zlib';
import { config } from '#shared/config.js';
import type { ListKeys } from '#shared/ports.js';
import { unpack } from '#shared/transform/packed-record.js';

export type ReplaySource = { kind: 'failed'; failureType: string } | { kind: 'processing-failed' };

/** The error output types Firehose writes under its error prefix (`!{firehose:error-output-type}`). */
export const errorOutputTypes = ['processing-failed', 'partitioning-failed', 'activePartitionExceeded'] as const;

const DT = /\/dt=(\d{4}-\d{2}-\d{2})\//;
// Like Athena, objects whose names start with `_` or `.` are not data.
const isDataObject = (key: string): boolean => !/^[_.]/.test(key.slice(key.lastIndexOf('/') + 1));

export const sourcePrefixes = (source: ReplaySource): string[] =>
  source.kind === 'failed'
    ? [`${config.prefixes.failed}type=${source.failureType}/`]
    : errorOutputTypes.map((type) => `${type}/`);

/** Keys of the objects to replay, oldest partition first, keeping those with dt ≥ since. */
export async function replayKeys(
  listKeys: ListKeys,
  bucket: string,
  source: ReplaySource,
  since: string | undefined,
): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of sourcePrefixes(source)) {
    for (const key of await listKeys(bucket, prefix)) {
      const dt = DT.exec(key)?.[1];
      if (dt !== undefined && isDataObject(key) && (since === undefined || dt >= since)) keys.push(key);
    }
  }
  return keys;
}

/** The lines of an object as Firehose wrote it (gzip or plain NDJSON). */
export function objectLines(body: Uint8Array): string[] {
  const gzipped = body[0] === 0x1f && body[1] === 0x8b;
  const text = (gzipped ? gunzipSync(body) : Buffer.from(body)).toString('utf8');
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** A JSON object's fields; undefined for anything else (invalid JSON, an array, a scalar). */
export const parseObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** A failed-event record → its original payload (text as UTF-8, base64 as the bytes); undefined if unreadable. */
export function failedEventPayload(line: string): Buffer | undefined {
  const record = parseObject(line);
  if (typeof record?.payload !== 'string') return undefined;
  return record.payload_encoding === 'base64' ? Buffer.from(record.payload, 'base64') : Buffer.from(record.payload);
}

/**
 * A Firehose error record → the payloads to re-submit, one event each; undefined if unreadable.
 * processing-failed holds the original record: a packed one (RFC 7464, from the ingest λ) is
 * unpacked, so each of its events is transformed on its own. The partitioning errors hold the
 * transform's output: one line per event, each rebuilt into the envelope that was sent.
 */
export function errorRecordPayload(line: string, key: string): Buffer[] | undefined {
  const rawData = parseObject(line)?.rawData;
  if (typeof rawData !== 'string') return undefined;
  const data = Buffer.from(rawData, 'base64');
  if (key.startsWith('processing-failed/')) {
    const events = data[0] === 0x1e ? unpack(data.toString('utf8')) : undefined;
    return events === undefined ? [data] : events.map((text) => Buffer.from(text, 'utf8'));
  }
  const lines = data
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const payloads = lines.map(payloadOfTransformed);
  return payloads.every((p) => p !== undefined) ? (payloads as Buffer[]) : undefined;
}

const ENVELOPE_FIELDS = [
  'event_id',
  'event_type',
  'event_version',
  'event_time',
  'sent_at',
  'app_id',
  'device_id',
  'user_id',
  'session_id',
  'attributes',
  'server_received_at',
  'request_id',
  'source_ip',
  'user_agent',
] as const;

/** A transformed line → what was sent: a failed record's payload, or the event's envelope fields with the time as sent. */
function payloadOfTransformed(line: string): Buffer | undefined {
  const record = parseObject(line);
  if (record === undefined) return undefined;
  if (typeof record.failure_type === 'string') return failedEventPayload(line);
  const envelope: Record<string, unknown> = {};
  for (const field of ENVELOPE_FIELDS) if (record[field] !== undefined) envelope[field] = record[field];
  // A corrected time must not be corrected twice: send the original (epoch ms come back as a string).
  const original = record.event_time_original;
  if (typeof original === 'string') envelope.event_time = /^\d+$/.test(original) ? Number(original) : original;
  return Buffer.from(JSON.stringify(envelope));
}
