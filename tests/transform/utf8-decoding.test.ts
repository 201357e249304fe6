import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The transform runs the strict UTF-8 check only on texts that decoded to a U+FFFD: that is sound
// only if every invalid byte sequence decodes to one.
describe("Node's UTF-8 decoding", () => {
  it('marks every invalid input with a U+FFFD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        return isUtf8(buffer) || buffer.toString('utf8').includes('\uFFFD');
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['a truncated sequence', [0x41, 0xe2, 0x82]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('marks %s', (_, bytes) => expect(Buffer.from(bytes).toString('utf8')).toContain('\uFFFD'));
});
