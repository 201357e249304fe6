// Replay of what came in through the device path (IoT rule → Kinesis → the devices delivery stream).
// Such a record must go back the way it came: into the devices stream as a Kinesis record keyed by
// its device id, where the transform unwraps the rule's wrapper and stamps the device id. Sent
// through the direct stream instead, the wrapper would be judged as an app event and fail as a
// schema violation, its event id hidden in base64: acknowledged device events would look lost.
import { parseDeviceWrapper, wrapDevicePayload } from '#shared/transform/device-payload.js';
import { devicesStreamName } from '../../pipeline/wiring.js';
import { errorRecordPayload, failedEventPayload, parseObject } from './records.js';

export interface KinesisRecord {
  data: Buffer;
  partitionKey: string;
}

const objectName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** Firehose names its objects `<delivery stream>-<version>-<time>-<uuid>`. */
export const writtenByDevicesStream = (key: string): boolean => objectName(key).startsWith(`${devicesStreamName}-`);

/** A device payload as the rule forwards it, keyed by the device (the wrapper's receive time is now). */
const rewrap = (payload: Buffer, deviceId: string, now: number): KinesisRecord => ({
  data: Buffer.from(wrapDevicePayload(payload, deviceId, now), 'utf8'),
  partitionKey: deviceId,
});

/**
 * The Kinesis records to put into the devices stream for one stored line, or undefined when the line
 * did not come through the device path (it then replays through the direct stream as before).
 * - an error record of the devices stream: processing-failed holds the Kinesis data itself (the
 *   rule's wrapper), sent again as it was; a partitioning failure holds the transform's output,
 *   rebuilt into the envelope and wrapped again with its device id;
 * - a failed-event record from the Kinesis source: its payload wrapped again with its device id
 *   (the record's `device_id`, else the Kinesis partition key it kept).
 */
export function deviceRecords(line: string, key: string, now = Date.now()): KinesisRecord[] | undefined {
  const record = parseObject(line);
  if (record === undefined) return undefined;
  if (typeof record.rawData === 'string') {
    if (!writtenByDevicesStream(key)) return undefined;
    const data = Buffer.from(record.rawData, 'base64');
    if (key.startsWith('processing-failed/')) {
      const wrapper = parseDeviceWrapper(data.toString('utf8'));
      return [{ data, partitionKey: wrapper?.device_id ?? 'unknown-device' }];
    }
    const payloads = errorRecordPayload(line, key);
    if (payloads === undefined) return undefined;
    return payloads.map((payload) => {
      const deviceId = parseObject(payload.toString('utf8'))?.device_id;
      return rewrap(payload, typeof deviceId === 'string' ? deviceId : 'unknown-device', now);
    });
  }
  if (record.ingest_source !== 'kinesis') return undefined;
  const payload = failedEventPayload(line);
  const deviceId = typeof record.device_id === 'string' ? record.device_id : record.ingest_partition_key;
  if (payload === undefined || typeof deviceId !== 'string') return undefined;
  return [rewrap(payload, deviceId, now)];
}
