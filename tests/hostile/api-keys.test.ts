// The local API Gateway's key check, by design: constant time (SHA-256 digests of equal length
// compared with crypto.timingSafeEqual against every stored key, whatever is presented) and live
// (a key removed from the map is refused at once). In the cloud API Gateway checks the key before
// any λ runs; the λ only maps the key's id to its app (shared/ingest/apps.ts).
import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiKeyChecker } from '../../local/apigateway/guard.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
const KEY = 'Ul7cQm2vX9aB3dE5fG8hJ1kL4nP6rS0tW2yZ4bC6';

beforeEach(() => {
  timingSafeEqual.mockClear();
});

describe('API key check', () => {
  it('compares equal-length digests against every stored key, however long or close the presented key is', () => {
    const check = apiKeyChecker({ [KEY]: 'id-1', 'other-key': 'id-2', 'third-key': 'id-3' });
    const presented = [KEY, `${KEY.slice(0, -1)}7`, 'x', 'y'.repeat(10_000), `${KEY}${KEY}`];
    expect(presented.map(check)).toEqual(['id-1', undefined, undefined, undefined, undefined]);
    expect(timingSafeEqual).toHaveBeenCalledTimes(presented.length * 3);
    for (const [a, b] of timingSafeEqual.mock.calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });

  it('reads the key map on every request: a removed key is refused, an added one accepted', () => {
    const keys: Record<string, string> = { [KEY]: 'id-1' };
    const check = apiKeyChecker(keys);
    expect(check(KEY)).toBe('id-1');
    delete keys[KEY];
    keys['new-key'] = 'id-2';
    expect([check(KEY), check('new-key')]).toEqual([undefined, 'id-2']);
  });

  it('refuses no key and an empty key without comparing', () => {
    const check = apiKeyChecker({ [KEY]: 'id-1' });
    expect([check(undefined), check('')]).toEqual([undefined, undefined]);
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });
});
