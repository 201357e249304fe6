// Event-time normalisation: parse RFC 3339 or epoch ms, correct device clock skew from `sent_at`,
// pull events from the future back to their arrival, and decide whether an event is late.
import { config } from './config.js';
import { EventRejected, type EventTime } from './event-contract.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export type TimeCorrection = 'clock_skew' | 'future';

export interface NormalisedTime {
  /** Corrected event time, epoch ms. */
  eventTimeMs: number;
  correction?: TimeCorrection;
  /** The event_time as sent, kept whenever a correction changed it. */
  original?: EventTime;
  late: boolean;
}

/** Epoch ms of an RFC 3339 string (the schema already checked its shape) or an epoch-ms number. */
export function instantOf(value: EventTime, field: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value.toUpperCase().replace(' ', 'T'));
  if (!Number.isFinite(ms)) {
    throw new EventRejected('invalid_timestamp', [{ path: `/${field}`, message: 'is not a valid instant' }]);
  }
  return ms;
}

export const isoMillis = (ms: number): string => new Date(ms).toISOString();

/** UTC date (`yyyy-MM-dd`) of an epoch-ms instant: the `dt` partition value. */
export const utcDate = (ms: number): string => isoMillis(ms).slice(0, 10);

export interface TimeInputs {
  eventTime: EventTime;
  sentAt?: EventTime;
  /** When the edge (API or IoT rule) received the event; falls back to `receivedAtMs`. */
  serverReceivedAt?: EventTime;
  /** Firehose arrival time, epoch ms. */
  receivedAtMs: number;
}

export function normaliseEventTime(input: TimeInputs): NormalisedTime {
  const sent = instantOf(input.eventTime, 'event_time');
  let eventTimeMs = sent;
  let correction: TimeCorrection | undefined;
  if (input.sentAt !== undefined) {
    // The device clock is off by (receive − send); shift the event time by the same amount.
    const edgeMs =
      input.serverReceivedAt === undefined
        ? input.receivedAtMs
        : instantOf(input.serverReceivedAt, 'server_received_at');
    const skew = edgeMs - instantOf(input.sentAt, 'sent_at');
    if (skew !== 0) {
      eventTimeMs += skew;
      correction = 'clock_skew';
    }
  }
  if (eventTimeMs > input.receivedAtMs + config.events.futureToleranceMinutes * MINUTE_MS) {
    eventTimeMs = input.receivedAtMs;
    correction = 'future';
  }
  const late = eventTimeMs < input.receivedAtMs - config.events.freshnessWindowDays * DAY_MS;
  return correction === undefined
    ? { eventTimeMs, late }
    : { eventTimeMs, correction, original: input.eventTime, late };
}
