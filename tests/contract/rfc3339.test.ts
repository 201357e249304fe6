import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRfc3339DateTime } from '../../shared/rfc3339.js';

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
