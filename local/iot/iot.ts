// Local IoT Core topic rule: a device publishes one envelope to `eventlake/<device_id>/events`; the
// rule (SELECT *, topic(2) AS device_id, timestamp() AS server_received_at) forwards it to the
// Kinesis stream with the device id as partition key, which feeds the devices delivery stream.
import type { PutRecordResult } from '#shared/ports.js';

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
  payload: string;
}

/**
 * Applies the rule to each message and forwards the results. Like IoT's SQL `SELECT *, …`, a payload
 * that is not a JSON object is forwarded untouched, so the transform turns it into a failed-event
 * record instead of the rule dropping it.
 */
export function makeTopicRule(filter: string, sink: KinesisSink, now: () => number = Date.now) {
  const deviceOf = topicMatcher(filter);
  return async (messages: readonly DeviceMessage[]): Promise<PutRecordResult[]> => {
    const records = messages.map(({ topic, payload }) => {
      const deviceId = deviceOf(topic);
      if (deviceId === undefined) throw new TopicNotMatched(`topic ${topic} does not match ${filter}`);
      return { data: Buffer.from(withRuleFields(payload, deviceId, now()), 'utf8'), partitionKey: deviceId };
    });
    return sink.putFromKinesis(records);
  };
}

function withRuleFields(payload: string, deviceId: string, receivedAt: number): string {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return payload;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return payload;
  return JSON.stringify({ ...value, device_id: deviceId, server_received_at: receivedAt });
}
