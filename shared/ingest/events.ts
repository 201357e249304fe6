// Candidate events → Firehose records: canonicalise event_id (lower case), stamp the server fields,
// check the envelope with the same validator the transform uses (an event that fails only its
// attributes is accepted: the transform makes it a failed-event record), serialise, then pack the
// events that share their partition keys (packing.ts).
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { assertEnvelope, type EventEnvelope, EventRejected } from '../contract/event-contract.js';
import { firstUnrepresentable } from '../contract/unrepresentable-values.js';
import { type PackableEvent, packEvents, packKey } from './packing.js';

/** What the edge knows about the request, stamped on every event. */
export interface EdgeStamp {
  appId: string;
  receivedAtMs: number;
  requestId: string;
  sourceIp?: string;
  userAgent?: string;
}

export interface Rejection {
  index: number;
  event_id?: string;
  reason: string;
}

export interface PreparedEvents {
  /** Firehose records: one serialised event, or several packed ones. */
  records: Uint8Array[];
  /** The request indexes of the events in each record. */
  indexes: number[][];
  rejected: Rejection[];
}

export interface RecordLimits {
  /** Largest serialised event (and record) Firehose takes. */
  maxRecordBytes: number;
  /** Packed records are filled up to this many bytes; 0 sends one event per record. */
  packRecordBytes: number;
}

/** Envelope fields only the edge may set: whatever a client sent for them is dropped. */
const SERVER_FIELDS = ['server_received_at', 'request_id', 'source_ip', 'user_agent'] as const;
const MAX_REASON_CHARS = 500;
/** The envelope's maxLength for the optional request fields: longer values are cut, not rejected. */
const MAX_SOURCE_IP_CHARS = 64;
const MAX_USER_AGENT_CHARS = 512;

export interface CaptureSettings {
  captureSourceIp: boolean;
  captureUserAgent: boolean;
}

/** The stamp for one API Gateway request; source IP and user agent only where config enables them. */
export function edgeStampFor(
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  appId: string,
  receivedAtMs: number,
  capture: CaptureSettings,
): EdgeStamp {
  const { requestId, identity } = event.requestContext;
  const stamp: EdgeStamp = { appId, receivedAtMs, requestId };
  if (capture.captureSourceIp && identity.sourceIp) stamp.sourceIp = identity.sourceIp.slice(0, MAX_SOURCE_IP_CHARS);
  if (capture.captureUserAgent && identity.userAgent)
    stamp.userAgent = identity.userAgent.slice(0, MAX_USER_AGENT_CHARS);
  return stamp;
}

export function prepareEvents(candidates: readonly unknown[], stamp: EdgeStamp, limits: RecordLimits): PreparedEvents {
  const rejected: Rejection[] = [];
  const accepted: PackableEvent[] = [];
  candidates.forEach((candidate, index) => {
    try {
      const event = checkedEvent(candidate, stamp);
      const text = serialise(event, limits.maxRecordBytes);
      const bytes = Buffer.byteLength(text, 'utf8');
      const key = limits.packRecordBytes > 0 ? packKey(event, stamp.receivedAtMs) : undefined;
      accepted.push(key === undefined ? { index, text, bytes } : { index, text, bytes, key });
    } catch (error) {
      if (!(error instanceof EventRejected)) throw error;
      rejected.push(rejection(index, candidate, error));
    }
  });
  const packSize = Math.min(limits.packRecordBytes, limits.maxRecordBytes);
  return { ...packEvents(accepted, packSize), rejected };
}

function checkedEvent(candidate: unknown, stamp: EdgeStamp): EventEnvelope & Record<string, unknown> {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    throw new EventRejected('not_an_object', [{ path: '', message: 'an event must be a JSON object' }]);
  }
  const event = candidate as Record<string, unknown>;
  if (event.event_id === undefined) {
    // A server-assigned id would turn every client retry into a duplicate.
    throw new EventRejected('schema_violation', [{ path: '/event_id', message: 'is required' }]);
  }
  // The dedupe key is the UUID in lower case: the record and the client's answer both carry it so.
  if (typeof event.event_id === 'string') event.event_id = event.event_id.toLowerCase();
  if (event.app_id !== undefined && event.app_id !== stamp.appId) {
    throw new EventRejected('schema_violation', [{ path: '/app_id', message: "does not match the API key's app" }]);
  }
  stampEvent(event, stamp);
  assertEnvelope(event);
  return event;
}

function stampEvent(event: Record<string, unknown>, stamp: EdgeStamp): void {
  for (const field of SERVER_FIELDS) if (field in event) delete event[field];
  event.app_id = stamp.appId;
  event.server_received_at = stamp.receivedAtMs;
  event.request_id = stamp.requestId;
  if (stamp.sourceIp !== undefined) event.source_ip = stamp.sourceIp;
  if (stamp.userAgent !== undefined) event.user_agent = stamp.userAgent;
}

function serialise(event: Record<string, unknown>, maxRecordBytes: number): string {
  let text: string;
  try {
    text = JSON.stringify(event);
  } catch {
    throw new EventRejected('size_violation', [{ path: '/attributes', message: 'is nested too deeply to serialise' }]);
  }
  // Serialising would silently turn these into something else (null, a broken escape): reject instead.
  const unrepresentable = firstUnrepresentable(event, text);
  if (unrepresentable !== undefined) throw new EventRejected(unrepresentable.failureType, [unrepresentable.error]);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxRecordBytes) {
    throw new EventRejected('size_violation', [
      { path: '', message: `event is ${bytes} bytes, over the ${maxRecordBytes}-byte limit` },
    ]);
  }
  return text;
}

function rejection(index: number, candidate: unknown, error: EventRejected): Rejection {
  const id = (candidate as { event_id?: unknown } | null)?.event_id;
  const reason =
    error.message.length > MAX_REASON_CHARS ? `${error.message.slice(0, MAX_REASON_CHARS)}…` : error.message;
  return typeof id === 'string' && id.length <= 256 ? { index, event_id: id, reason } : { index, reason };
}
