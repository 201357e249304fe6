// Local IoT Core topic rule, with the cloud rule's semantics (infra/resources/devices.yml):
// `SELECT encode(*, 'base64') AS payload_b64, topic(2) AS device_id, timestamp() AS received_ms
// FROM 'eventlake/+/events'`. Every payload, JSON or not (even empty), is forwarded base64-encoded
// with the topic's device id and the broker's receive time, to the Kinesis stream with the device
// id as partition key, which feeds the devices delivery stream; the transform unwraps it
// (shared/transform/device-payload.ts).
import type { PutRecordResult } from '#shared/ports.js';
import { wrapDevicePayload } from '#shared/transform/device-payload.js';

export class TopicNotMatched extends Error {
  override readonly name = 'TopicNotMatched';
}

export interface KinesisSink {
  putFromKinesis(records: readonly { data: Uint8Array; partitionKey: string }[]): Promise<PutRecordResult[]>;
}

/** `eventlake/+/events` → a matcher returning the `+` segment (the device id). */
export function topicMatcher(filter: string): (topic: string) => string | undefined {
  const parts = filter.split('/');
  const wildcard = parts.indexOf('+');
  return (topic) => {
    const segments = topic.split('/');
    if (segments.length !== parts.length) return undefined;
    const ok = parts.every((part, i) => part === '+' || part === segments[i]);
    const value = segments[wildcard];
    return ok && value ? value : undefined;
  };
}

export interface DeviceMessage {
  topic: string;
  /** The MQTT payload: any bytes (a string is sent as its UTF-8). */
  payload: string | Uint8Array;
}

/** Applies the rule to each message and forwards the results; a topic the filter does not match throws. */
export function makeTopicRule(filter: string, sink: KinesisSink, now: () => number = Date.now) {
  const deviceOf = topicMatcher(filter);
  return async (messages: readonly DeviceMessage[]): Promise<PutRecordResult[]> => {
    const records = messages.map(({ topic, payload }) => {
      const deviceId = deviceOf(topic);
      if (deviceId === undefined) throw new TopicNotMatched(`topic ${topic} does not match ${filter}`);
      const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
      return { data: Buffer.from(wrapDevicePayload(bytes, deviceId, now()), 'utf8'), partitionKey: deviceId };
    });
    return sink.putFromKinesis(records);
  };
}
