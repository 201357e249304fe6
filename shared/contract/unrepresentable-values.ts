// Values JSON.parse accepts but the lake cannot carry faithfully: a number beyond the float range
// (`1e400` parses to Infinity, which JSON.stringify writes as null) and a string with a lone UTF-16
// surrogate (`"\ud800"`, which no UTF-8 text can hold and which fails the Parquet job's JSON reader).
import type { ValidationError } from './event-contract.js';

export interface UnrepresentableValue {
  failureType: 'schema_violation' | 'invalid_utf8';
  error: ValidationError;
}

interface Visit {
  value: unknown;
  key?: string;
  parent?: Visit;
}

/** The JSON pointer of a visited value, built only for the one that is reported. */
function pointer(visit: Visit | undefined): string {
  const parts: string[] = [];
  for (let at = visit; at?.key !== undefined; at = at.parent) parts.unshift(at.key);
  return parts.map((part) => `/${part.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** With the `u` flag, a well-formed surrogate pair is one astral code point: only lone halves are Cs. */
const LONE_SURROGATE = /\p{Cs}/u;
const NO_UTF8_FORM = 'which has no UTF-8 form';

/**
 * The first value of `event` that cannot be carried, or undefined. `serialised` is the event's
 * JSON.stringify output: a non-finite number always shows there as `null` and a lone surrogate as
 * a `\udXXX` escape, so the walk only runs for the few events that contain one of the two. When
 * the schemas typed every value (`everyValueTyped`: strictNumbers refused non-finite ones), only the
 * escape is looked for: searching a line for `null` costs more than all the rest of this check.
 */
export function firstUnrepresentable(
  event: object,
  serialised: string,
  { everyValueTyped = false } = {},
): UnrepresentableValue | undefined {
  if (!serialised.includes('\\ud') && (everyValueTyped || !serialised.includes('null'))) return undefined;
  // An explicit stack: the event did serialise, but recursing here would add a depth limit of its own.
  const stack: Visit[] = [{ value: event }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { value } = visit;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      const message = 'is a number outside the 64-bit floating point range';
      return { failureType: 'schema_violation', error: { path: pointer(visit), message } };
    }
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
      const message = `holds a lone UTF-16 surrogate, ${NO_UTF8_FORM}`;
      return { failureType: 'invalid_utf8', error: { path: pointer(visit), message } };
    }
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) {
        const message = `has a key with a lone UTF-16 surrogate, ${NO_UTF8_FORM}`;
        return { failureType: 'invalid_utf8', error: { path: pointer(visit), message } };
      }
      stack.push({ value: child, key, parent: visit });
    }
  }
  return undefined;
}
