// The device path's wrapper: the IoT rule `SELECT encode(*, 'base64') AS payload_b64, topic(2) AS
// device_id, timestamp() AS received_ms FROM 'eventlake/+/events'` forwards every MQTT payload, JSON
// or not, base64-encoded with the topic's device id and the broker's receive time. The transform
// unwraps it before anything else: the inner bytes are then treated as any record's data, stamped
// with `device_id` and `server_received_at` when they are a JSON object (what the rule's `SELECT *,
// …` used to add), and a failed-event record carries the device id whatever the payload was.
import { isUtf8 } from 'node:buffer';
import type { SourceRecord } from './transform-record.js';

export interface DeviceWrapper {
  /** The MQTT payload, base64 (IoT's encode(*, 'base64')). */
  payload_b64: string;
  /** topic(2): the device id from `eventlake/<device_id>/events`. */
  device_id: string;
  /** timestamp(): the broker's receive time, epoch ms. */
  received_ms: number;
}

export interface UnwrappedDeviceRecord {
  /** The record with the inner payload (stamped when it is a JSON object) as its data. */
  record: SourceRecord;
  deviceId: string;
}

const WRAPPER_KEYS = ['device_id', 'payload_b64', 'received_ms'];

/** The rule's wrapper as a record's data (base64 of its JSON), as the local rule and tests build it. */
export const wrapDevicePayload = (payload: Uint8Array, deviceId: string, receivedMs: number): string =>
  JSON.stringify({
    payload_b64: Buffer.from(payload).toString('base64'),
    device_id: deviceId,
    received_ms: receivedMs,
  } satisfies DeviceWrapper);

/** The wrapper when `text` is exactly one (these three keys, these types); undefined otherwise. */
export function parseDeviceWrapper(text: string): DeviceWrapper | undefined {
  if (!text.startsWith('{') || !text.includes('"payload_b64"')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const w = value as Record<string, unknown>;
  const keys = Object.keys(w).sort();
  if (keys.length !== WRAPPER_KEYS.length || keys.some((k, i) => k !== WRAPPER_KEYS[i])) return undefined;
  if (typeof w.payload_b64 !== 'string' || typeof w.device_id !== 'string' || w.device_id === '') return undefined;
  if (typeof w.received_ms !== 'number' || !Number.isFinite(w.received_ms)) return undefined;
  return w as unknown as DeviceWrapper;
}

/**
 * A Kinesis-sourced record holding the rule's wrapper → the record of its inner payload, plus the
 * device id; undefined for any other record (direct stream, or a payload the rule did not wrap),
 * which is then transformed exactly as before.
 */
export function unwrapDeviceRecord(record: SourceRecord): UnwrappedDeviceRecord | undefined {
  if (record.kinesisRecordMetadata === undefined) return undefined;
  const wrapper = parseDeviceWrapper(Buffer.from(record.data, 'base64').toString('utf8'));
  if (wrapper === undefined) return undefined;
  return { record: { ...record, data: stamped(wrapper) }, deviceId: wrapper.device_id };
}

/**
 * The inner payload, with the rule's fields appended when it looks like a JSON object (`{…}`). Appended
 * as text, not re-serialised, so every other byte reaches the validator as the device sent it (big
 * numbers, duplicate keys), and without a second parse: the transform parses it once, and rejects it
 * as malformed if it is not JSON. JSON's last-key-wins makes the topic's device id win.
 */
function stamped(wrapper: DeviceWrapper): string {
  const b64 = wrapper.payload_b64;
  const inner = Buffer.from(b64, 'base64');
  // Not base64, or not UTF-8: hand the transform the bytes as they are, to reject them as it does today.
  if (b64.length % 4 !== 0 || inner.length !== Buffer.byteLength(b64, 'base64') || !isUtf8(inner)) return b64;
  const text = inner.toString('utf8').trimEnd();
  if (!text.trimStart().startsWith('{') || !text.endsWith('}')) return b64;
  const close = text.length - 1;
  const empty = text.slice(text.indexOf('{') + 1, close).trim() === '';
  const fields = `"device_id":${JSON.stringify(wrapper.device_id)},"server_received_at":${wrapper.received_ms}`;
  return Buffer.from(`${text.slice(0, close)}${empty ? '' : ','}${fields}}`, 'utf8').toString('base64');
}

/** A failed-event record's JSON line with the device id added (the payload may not have carried one). */
export function withDeviceId(failedJson: string, deviceId: string): string {
  const record = JSON.parse(failedJson) as Record<string, unknown>;
  return JSON.stringify({ ...record, device_id: deviceId });
}
