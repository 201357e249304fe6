// Event-time normalisation: parse RFC 3339 or epoch ms, correct device clock skew from `sent_at`,
// pull events from the future back to their arrival, and decide whether an event is late.
import { config } from '../config.js';
import { EventRejected, type EventTime } from './event-contract.js';
import { rfc3339Millis } from './rfc3339.js';

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
  const ms = typeof value === 'number' ? value : (rfc3339Millis(value) ?? Number.NaN);
  if (!Number.isFinite(ms)) {
    throw new EventRejected('invalid_timestamp', [{ path: `/${field}`, message: 'is not a valid instant' }]);
  }
  return ms;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const MAX_FOUR_DIGIT_YEAR_MS = 253402300799999;
let cachedDay = Number.NaN;
let cachedDayPrefix = '';
let cachedSecond = Number.NaN;
let cachedSecondPrefix = '';

/**
 * UTC ISO-8601 with milliseconds, as Date#toISOString writes it. Formatting every timestamp of
 * every event is on the transform's hot path, and the events of a batch cluster in time: the text
 * up to the second is cached (the day part too) and the rest comes from lookup tables — several
 * times faster than toISOString.
 */
export function isoMillis(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_FOUR_DIGIT_YEAR_MS) return new Date(ms).toISOString();
  const millis = ms % 1000;
  const second = (ms - millis) / 1000;
  if (second !== cachedSecond) {
    const day = Math.floor(ms / DAY_MS);
    if (day !== cachedDay) {
      cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
      cachedDay = day;
    }
    const secondOfDay = second - day * 86_400;
    const s = secondOfDay % 60;
    const minuteOfDay = (secondOfDay - s) / 60;
    cachedSecondPrefix = `${cachedDayPrefix}${TWO_DIGITS[Math.floor(minuteOfDay / 60)]}:${TWO_DIGITS[minuteOfDay % 60]}:${TWO_DIGITS[s]}.`;
    cachedSecond = second;
  }
  return `${cachedSecondPrefix}${THREE_DIGITS[millis]}Z`;
}

/**
 * isoMillis that remembers its last answer: arrival and edge timestamps repeat across a batch,
 * so one formatter per field skips most of the formatting.
 */
export function rememberingIsoMillis(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastIso = isoMillis(ms);
      lastMs = ms;
    }
    return lastIso;
  };
}

/** UTC date (`yyyy-MM-dd`) of an ISO-8601 instant: the `dt` partition value. */
export const utcDate = (iso: string): string => iso.slice(0, 10);

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
