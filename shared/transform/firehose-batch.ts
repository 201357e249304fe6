// A Firehose transformation batch: every input recordId answered exactly once, partition keys for
// dynamic partitioning, and a response kept under the Lambda payload limit by answering the records
// that do not fit ProcessingFailed (and packed records whose lines disagree, see packed-record.ts): Firehose writes them, original data intact, under the error
// prefix (processing-failed/), from where `eventlake replay` re-submits them. Nothing is lost and
// the invocation never breaks.
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { config, type Zone } from '../config.js';
import type { FailureType } from '../contract/event-contract.js';
import { unwrapDeviceRecord, withDeviceId } from './device-payload.js';
import { type RecordOutcome, type SourceRecord, transformFirehoseRecord } from './transform-record.js';

export interface BatchCounts {
  records: number;
  /** Events in the records answered Ok (a packed record holds several). */
  events: number;
  /** Events per zone. */
  byZone: Record<Zone, number>;
  byFailureType: Partial<Record<FailureType, number>>;
  /** Records answered ProcessingFailed because the response would pass the payload limit. */
  overflow: number;
  /** Packed records answered ProcessingFailed because a line failed or disagreed on the keys. */
  packRejected: number;
  /** Why, for the first few of them (for the log). */
  packRejections: string[];
}

export interface TransformedBatch {
  response: FirehoseTransformationResult;
  counts: BatchCounts;
}

// JSON punctuation and field names around a record, generously rounded up.
const ENTRY_OVERHEAD_BYTES = 160;
const MAX_REASONS = 5;

/** Output lines are encoded through one reused buffer rather than a fresh Buffer per record. */
const scratch = Buffer.allocUnsafe(64 * 1024);
const NEWLINE = 0x0a;

/** Base64 of the UTF-8 of `json` plus a newline: one output line. */
function base64Line(json: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (json.length * 3 >= scratch.length) return Buffer.from(`${json}\n`, 'utf8').toString('base64');
  const length = scratch.write(json);
  scratch[length] = NEWLINE;
  return scratch.toString('base64', 0, length + 1);
}

/** Devices' records come wrapped by the IoT rule (device-payload.ts): unwrap, transform, keep the device id. */
function transformSource(record: SourceRecord, deliveryStream: string): RecordOutcome {
  const device = unwrapDeviceRecord(record);
  if (device === undefined) return transformFirehoseRecord(record, { deliveryStream });
  const out = transformFirehoseRecord(device.record, { deliveryStream });
  if ('packRejected' in out || out.zone !== 'failed') return out;
  return { ...out, json: withDeviceId(out.json, device.deviceId) };
}

export function transformBatch(
  event: FirehoseTransformationEvent,
  maxResponseBytes = config.transform.maxResponseBytes,
): TransformedBatch {
  const deliveryStream = event.deliveryStreamArn.split('/').pop() ?? event.deliveryStreamArn;
  const counts: BatchCounts = {
    records: event.records.length,
    events: 0,
    byZone: { events: 0, late: 0, failed: 0 },
    byFailureType: {},
    overflow: 0,
    packRejected: 0,
    packRejections: [],
  };
  // Every record is guaranteed room for a minimal answer; only the data beyond it competes for space.
  let used = 16 + event.records.reduce((sum, r) => sum + r.recordId.length + ENTRY_OVERHEAD_BYTES, 0);
  const records = event.records.map((record): FirehoseTransformationResultRecord => {
    const out = transformSource(record, deliveryStream);
    if ('packRejected' in out) {
      counts.packRejected += 1;
      if (counts.packRejections.length < MAX_REASONS) counts.packRejections.push(out.packRejected);
      return { recordId: record.recordId, result: 'ProcessingFailed', data: '' };
    }
    const data = base64Line(out.json);
    const extra = data.length + out.zone.length + out.partitionType.length + out.dt.length;
    if (used + extra > maxResponseBytes) {
      counts.overflow += 1;
      return { recordId: record.recordId, result: 'ProcessingFailed', data: '' };
    }
    used += extra;
    counts.events += out.events;
    counts.byZone[out.zone] += out.events;
    if (out.failureType) counts.byFailureType[out.failureType] = (counts.byFailureType[out.failureType] ?? 0) + 1;
    return {
      recordId: record.recordId,
      result: 'Ok',
      data,
      metadata: { partitionKeys: { zone: out.zone, event_type: out.partitionType, dt: out.dt } },
    };
  });
  return { response: { records }, counts };
}
