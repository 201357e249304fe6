// API Gateway's gatekeeping for the local server: API keys checked in constant time, and a token
// bucket per key (usage plan rate + burst) answering 429 like API Gateway.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** key value → key id; every stored key is compared so timing says nothing about which one matched. */
export function apiKeyChecker(
  apiKeys: Readonly<Record<string, string>>,
): (presented: string | undefined) => string | undefined {
  const entries = Object.entries(apiKeys).map(([key, id]) => ({ hash: digest(key), id }));
  return (presented) => {
    if (presented === undefined || presented === '') return undefined;
    const hash = digest(presented);
    let found: string | undefined;
    for (const entry of entries) if (timingSafeEqual(hash, entry.hash)) found ??= entry.id;
    return found;
  };
}

export interface Throttle {
  /** Requests per second, refilled continuously. */
  rateLimit: number;
  /** Bucket capacity. */
  burstLimit: number;
}

export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly throttle: Throttle,
    readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for the key; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.now();
    const { rateLimit, burstLimit } = this.throttle;
    const bucket = this.#buckets.get(key) ?? { tokens: burstLimit, at: now };
    bucket.tokens = Math.min(burstLimit, bucket.tokens + ((now - bucket.at) / 1000) * rateLimit);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
