// RFC 3339 date-time with a required offset, checked strictly (real calendar days, offsets in
// range) and turned into epoch milliseconds in the same pass. The check runs as the schema's
// date-time format and the instant is needed right after by the time normalisation: reading the
// characters once, by position, and remembering the last answer costs a fraction of a regex plus
// Date.parse on the transform's hot path. A leap second (:60) is valid text but no instant a clock
// can represent: it passes the format and is then refused as invalid_timestamp.
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAY_MS = 86_400_000;

const isLeapYear = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** Two ASCII digits at `at` as a number, or -1. */
function twoDigits(value: string, at: number): number {
  const tens = value.charCodeAt(at) - 48;
  const ones = value.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Epoch ms of an RFC 3339 date-time (fraction truncated to ms, like Date.parse); NaN for a leap second; undefined when the text is not one. */
function parse(value: string): number | undefined {
  const length = value.length;
  if (length < 20) return undefined;
  const century = twoDigits(value, 0);
  const yy = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  const separator = value.charCodeAt(10);
  if (
    century < 0 ||
    yy < 0 ||
    value.charCodeAt(4) !== 45 ||
    value.charCodeAt(7) !== 45 ||
    (separator !== 84 && separator !== 116 && separator !== 32) ||
    value.charCodeAt(13) !== 58 ||
    value.charCodeAt(16) !== 58 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60
  ) {
    return undefined;
  }
  const year = century * 100 + yy;
  if (day > (month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return undefined;
  let at = 19;
  let millis = 0;
  if (value.charCodeAt(at) === 46) {
    const start = at + 1;
    for (at = start; at < length; at++) {
      const digit = value.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      if (at - start < 3) millis = millis * 10 + digit;
    }
    const digits = at - start;
    if (digits < 1 || digits > 9) return undefined;
    if (digits < 3) millis *= digits === 1 ? 100 : 10;
  }
  let offsetMinutes = 0;
  const zone = value.charCodeAt(at);
  if (zone === 90 || zone === 122) {
    if (at + 1 !== length) return undefined;
  } else if (zone === 43 || zone === 45) {
    const offsetHours = twoDigits(value, at + 1);
    const offsetMins = twoDigits(value, at + 4);
    if (at + 6 !== length || value.charCodeAt(at + 3) !== 58 || offsetHours < 0 || offsetHours > 23) return undefined;
    if (offsetMins < 0 || offsetMins > 59) return undefined;
    offsetMinutes = (zone === 43 ? 1 : -1) * (offsetHours * 60 + offsetMins);
  } else {
    return undefined;
  }
  if (second === 60) return Number.NaN;
  return (
    daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis
  );
}

let lastValue = '';
let lastResult: number | undefined;

/**
 * Epoch ms of an RFC 3339 date-time, NaN for a valid leap second, undefined when `value` is not
 * an RFC 3339 date-time. Remembers its last answer (the format check and the normalisation ask
 * about the same string one after the other).
 */
export function rfc3339Millis(value: string): number | undefined {
  if (value !== lastValue) {
    lastResult = parse(value);
    lastValue = value;
  }
  return lastResult;
}

export const isRfc3339DateTime = (value: string): boolean => rfc3339Millis(value) !== undefined;
