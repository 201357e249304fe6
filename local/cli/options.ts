// Option value parsers shared by the commands: every number is checked (whole, within a range) so a
// typo is a usage error (exit 2) and never NaN, 0 where 0 makes no sense, or an unbounded run.
import { InvalidArgumentError } from 'commander';

/** A whole number in [min, max]. */
export const integer =
  (min: number, max: number) =>
  (raw: string): number => {
    const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    return value;
  };

/** A decimal number in [min, max]. */
export const decimal =
  (min: number, max: number) =>
  (raw: string): number => {
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new InvalidArgumentError(`must be a number from ${min} to ${max}.`);
    return value;
  };

/** A share between 0 and 1. */
export const share = decimal(0, 1);

/** A calendar date yyyy-MM-dd. */
export const isoDate = (raw: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(`${raw}T00:00:00Z`)))
    throw new InvalidArgumentError('must be a date yyyy-MM-dd.');
  return raw;
};

/** A comma-separated list of numbers, each in [min, max]. */
export const decimalList =
  (min: number, max: number, maxLength: number) =>
  (raw: string): number[] => {
    const parse = decimal(min, max);
    const values = raw.split(',').map((part) => parse(part));
    if (values.length > maxLength) throw new InvalidArgumentError(`takes at most ${maxLength} values.`);
    return values;
  };
