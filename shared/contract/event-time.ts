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

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the instants every engine downstream can hold. */
export const MIN_INSTANT_MS = -62_135_596_800_000;
export const MAX_INSTANT_MS = 253_402_300_799_999;
const RANGE = '0001-01-01T00:00:00.000Z..9999-12-31T23:59:59.999Z';

/** Whether `ms` is a whole millisecond within years 0001–9999 (UTC). */
export const isRepresentableInstant = (ms: number): boolean =>
  Number.isInteger(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;

/**
 * Epoch ms of an RFC 3339 string (the schema already checked its shape) or an epoch-ms number,
 * within years 0001–9999 in UTC: an offset can carry a text in range out of it
 * (`9999-12-31T23:59:59-23:59` is in year 10000), and no Parquet or Spark timestamp holds that.
 */
export function instantOf(value: EventTime, field: string): number {
  const ms = typeof value === 'number' ? value : (rfc3339Millis(value) ?? Number.NaN);
  if (!Number.isFinite(ms)) {
    throw new EventRejected('invalid_timestamp', [{ path: `/${field}`, message: 'is not a valid instant' }]);
  }
  if (!isRepresentableInstant(ms)) throw outOfRange(field, 'is');
  return ms;
}

const outOfRange = (field: string, what: string): EventRejected =>
  new EventRejected('invalid_timestamp', [{ path: `/${field}`, message: `${what} outside ${RANGE} in UTC` }]);

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

const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];

/** Whether `dt` is `yyyy-MM-dd` (digits and dashes by position: this runs once per event). */
export function isPartitionDate(dt: string): boolean {
  if (dt.length !== 10 || dt.charCodeAt(4) !== 45 || dt.charCodeAt(7) !== 45) return false;
  for (const at of DATE_DIGITS) {
    const digit = dt.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return false;
  }
  return true;
}

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
  // A skew correction by a crafted sent_at can move an instant in range out of it.
  if (!isRepresentableInstant(eventTimeMs)) throw outOfRange('event_time', 'corrected by sent_at is');
  const late = eventTimeMs < input.receivedAtMs - config.events.freshnessWindowDays * DAY_MS;
  return correction === undefined
    ? { eventTimeMs, late }
    : { eventTimeMs, correction, original: input.eventTime, late };
}
