// The envelope-level duplicate-key scan: exact on the checked depths, blind below them, never fooled
// by keys inside strings or escapes, and no false alarm on any JSON that JSON.stringify produces.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from '#shared/ingest/request-keys.js';

const ENVELOPE = new Set([1, 3]);

describe('findDuplicateKey', () => {
  it.each([
    ['{"events":[{"a":1}],"events":[]}', { key: 'events', object: 0 }],
    ['{"events":[{"a":1},{"b":1,"b":2}]}', { key: 'b', object: 2 }],
    ['{"events":[{"a":"\\",\\"a\\":","a":2}]}', { key: 'a', object: 1 }],
    ['{"events":[{"\\u0061":1,"a":2}]}', { key: 'a', object: 1 }],
    ['{"x":{"y":1,"y":2},"events":[]}', undefined],
    ['{"events":[{"a":{"b":1,"b":2},"c":[{"d":1,"d":2}]}]}', undefined],
    ['{"events":[{"a":"\\\\","b":"a"},{"a":1}]}', undefined],
  ])('%s', (text, expected) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(findDuplicateKey(text, ENVELOPE)).toEqual(expected);
  });

  it('finds nothing in any stringified envelope, and the key when one event repeats it', () => {
    const event = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 6 }), fc.nat(), (events, pick) => {
        const text = JSON.stringify({ events });
        expect(findDuplicateKey(text, ENVELOPE)).toBeUndefined();
        const index = pick % events.length;
        const target = events[index] as Record<string, unknown>;
        const key = Object.keys(target)[0];
        if (key === undefined) return;
        const doubled = events.map((e, i) =>
          i === index ? `{${JSON.stringify(key)}:0,${JSON.stringify(e).slice(1)}` : JSON.stringify(e),
        );
        expect(findDuplicateKey(`{"events":[${doubled.join(',')}]}`, ENVELOPE)).toEqual({ key, object: index + 1 });
      }),
    );
  });
});
