import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRfc3339DateTime, rfc3339Millis } from '#shared/contract/rfc3339.js';

describe('isRfc3339DateTime', () => {
  it.each([
    '2025-11-22T10:00:00Z',
    '2025-11-22t10:00:00.123456789z',
    '2025-11-22 10:00:00+01:00',
    '2024-02-29T23:59:59-12:30',
    '2016-12-31T23:59:60Z',
  ])('accepts %s', (value) => expect(isRfc3339DateTime(value)).toBe(true));

  it.each([
    '2025-11-22T10:00:00',
    '2025-02-29T10:00:00Z',
    '2025-04-31T10:00:00Z',
    '2025-13-01T10:00:00Z',
    '2025-00-10T10:00:00Z',
    '2025-01-01T24:00:00Z',
    '2025-01-01T10:60:00Z',
    '2025-01-01T10:00:00+24:00',
    '2025-01-01T10:00:00+0100',
    '2025-01-01',
    ' 2025-01-01T10:00:00Z',
  ])('refuses %s', (value) => expect(isRfc3339DateTime(value)).toBe(false));

  it('agrees with Date#toISOString output for every representable instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) =>
        isRfc3339DateTime(d.toISOString()),
      ),
    );
  });
});

describe('rfc3339Millis', () => {
  it.each([
    ['2025-11-22T10:00:00Z', Date.parse('2025-11-22T10:00:00Z')],
    ['2025-11-22t10:00:00.123456789z', Date.parse('2025-11-22T10:00:00.123Z')],
    ['2025-11-22 10:00:00.5+01:00', Date.parse('2025-11-22T09:00:00.500Z')],
    ['2024-02-29T23:59:59.12-12:30', Date.parse('2024-03-01T12:29:59.120Z')],
    ['0000-01-01T00:00:00Z', Date.parse('0000-01-01T00:00:00Z')],
    ['9999-12-31T23:59:59.999+00:00', 253402300799999],
  ])('reads %s', (value, ms) => expect(rfc3339Millis(value)).toBe(ms));

  it('answers NaN for a leap second and undefined for text that is not a date-time', () => {
    expect(rfc3339Millis('2016-12-31T23:59:60Z')).toBeNaN();
    expect(rfc3339Millis('2025-01-01T10:00:00.Z')).toBeUndefined();
    expect(rfc3339Millis('2025-01-01T10:00:00.1234567890Z')).toBeUndefined();
    expect(rfc3339Millis('2025-01-01T10:00:00Zx')).toBeUndefined();
    expect(rfc3339Millis('2025-01-01T10:00:00+01:00 ')).toBeUndefined();
  });

  it('agrees with Date.parse on any instant written with any offset and precision', () => {
    const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0000-01-02T00:00:00Z'),
          max: new Date('9999-12-30T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.integer({ min: 0, max: 9 }),
        (date, offset, precision) => {
          const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19);
          const fraction =
            precision === 0
              ? ''
              : `.${String(date.getTime() % 1000)
                  .padStart(3, '0')
                  .padEnd(precision, '7')
                  .slice(0, precision)}`;
          const zone =
            offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
          const text = `${local}${fraction}${zone}`;
          // Date.parse needs a four-digit positive year inside its range; both read the same instant.
          const expected = Date.parse(text);
          if (Number.isNaN(expected)) return true;
          return rfc3339Millis(text) === expected;
        },
      ),
    );
  });
});
