import { describe, expect, it } from 'vitest';
import { everyLocationTyped } from '#shared/contract/typed-locations.js';
import { firstUnrepresentable } from '#shared/contract/unrepresentable-values.js';
import { attributeSchemas, envelopeSchema } from '../../schemas/registry.js';

const closedObject = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});

describe('everyLocationTyped', () => {
  it('holds for the envelope (attributes aside) and every registered attribute schema', () => {
    expect(everyLocationTyped(envelopeSchema, ['attributes'])).toBe(true);
    for (const { schema } of attributeSchemas) expect(everyLocationTyped(schema)).toBe(true);
  });

  it('does not hold for the envelope when attributes are not checked elsewhere', () => {
    expect(everyLocationTyped(envelopeSchema)).toBe(false);
  });

  it.each([
    ['an object without additionalProperties', { type: 'object', properties: { a: { type: 'number' } } }],
    ['a property without type', closedObject({ a: {} })],
    ['a property schema of true', closedObject({ a: true })],
    ['open additionalProperties', { type: 'object', additionalProperties: true }],
    ['an untyped additionalProperties schema', { type: 'object', additionalProperties: { minimum: 0 } }],
    ['an untyped patternProperties schema', { ...closedObject({}), patternProperties: { '^x': {} } }],
    ['an array without items', closedObject({ a: { type: 'array' } })],
    [
      'prefixItems with open positions after them',
      closedObject({ a: { type: 'array', prefixItems: [{ type: 'number' }] } }),
    ],
    ['a type union with an open object', { type: ['string', 'object'] }],
    ['a $ref without type', closedObject({ a: { $ref: '#/$defs/x' } })],
    ['no schema object at all', true],
  ])('does not hold for %s', (_, schema) => expect(everyLocationTyped(schema)).toBe(false));

  it.each([
    ['scalars, enums and consts', closedObject({ a: { type: 'number' }, b: { enum: [1, 2] }, c: { const: 'x' } })],
    [
      'nested closed objects and typed arrays',
      closedObject({ a: { type: 'array', items: closedObject({ n: { type: 'integer' } }) } }),
    ],
    ['typed additionalProperties', { type: 'object', additionalProperties: { type: 'number' } }],
    [
      'prefixItems closed by items: false',
      closedObject({ a: { type: 'array', prefixItems: [{ type: 'number' }], items: false } }),
    ],
  ])('holds for %s', (_, schema) => expect(everyLocationTyped(schema)).toBe(true));
});

describe('firstUnrepresentable', () => {
  const event = { event_id: 'e', attributes: { free: Number.POSITIVE_INFINITY, text: 'ok' } };

  it('finds a non-finite number at an untyped location unless the schemas already refused them', () => {
    const serialised = JSON.stringify(event);
    expect(firstUnrepresentable(event, serialised)).toEqual({
      failureType: 'schema_violation',
      error: { path: '/attributes/free', message: 'is a number outside the 64-bit floating point range' },
    });
    expect(firstUnrepresentable(event, serialised, { everyValueTyped: true })).toBeUndefined();
  });

  it('always finds a lone surrogate', () => {
    const withSurrogate = { event_id: 'e', attributes: { text: 'a\ud800b' } };
    expect(firstUnrepresentable(withSurrogate, JSON.stringify(withSurrogate), { everyValueTyped: true })).toEqual({
      failureType: 'invalid_utf8',
      error: { path: '/attributes/text', message: 'holds a lone UTF-16 surrogate, which has no UTF-8 form' },
    });
  });
});
