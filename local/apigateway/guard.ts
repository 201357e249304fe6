// API Gateway's gatekeeping for the local server: API keys checked in constant time, and a token
// bucket per key (usage plan rate + burst) answering 429 like API Gateway.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * key value → key id; every stored key is compared so timing says nothing about which one matched.
 * The map is read on every request, so a key deleted from it is refused from the next request on.
 */
export function apiKeyChecker(
  apiKeys: Readonly<Record<string, string>>,
): (presented: string | undefined) => string | undefined {
  const digests = new Map<string, Buffer>();
  const digestOf = (key: string): Buffer => digests.get(key) ?? (digests.set(key, digest(key)).get(key) as Buffer);
  return (presented) => {
    if (presented === undefined || presented === '') return undefined;
    const hash = digest(presented);
    let found: string | undefined;
    for (const [key, id] of Object.entries(apiKeys)) if (timingSafeEqual(hash, digestOf(key))) found ??= id;
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

/** The local stand-in for a concurrency-limited Lambda behind API Gateway: limits on admission. */
export interface Shedding {
  /** Requests with a valid API key inside a handler at once (their bodies already read). */
  maxInFlight: number;
  /** Once the event loop ran later than this, no request is admitted for as long again (it could not be served in time). */
  maxEventLoopDelayMs: number;
  /** How often the event-loop delay is measured. */
  sampleEveryMs: number;
  /** Retry-After (seconds) on the 503 of a shed request. */
  retryAfterSeconds: number;
}

export interface ShedderStats {
  inFlight: number;
  peakInFlight: number;
  maxInFlight: number;
  /** Requests answered 503 at a limit. */
  shed: number;
  eventLoopDelayMs: number;
}

/** Bounds what the server holds under overload: past a limit a request is shed before its body is read. */
export class LoadShedder {
  readonly #stats: ShedderStats;
  readonly #timer: NodeJS.Timeout;
  #overloadedUntil = 0;

  constructor(readonly limits: Shedding) {
    this.#stats = { inFlight: 0, peakInFlight: 0, maxInFlight: limits.maxInFlight, shed: 0, eventLoopDelayMs: 0 };
    let last = performance.now();
    this.#timer = setInterval(() => {
      const now = performance.now();
      const delay = Math.max(0, Math.round(now - last - limits.sampleEveryMs));
      this.#stats.eventLoopDelayMs = delay;
      if (delay > limits.maxEventLoopDelayMs) this.#overloadedUntil = now + delay;
      last = now;
    }, limits.sampleEveryMs);
    this.#timer.unref();
  }

  /** True when the request is admitted; the caller then calls leave() once it is answered. */
  enter(): boolean {
    const s = this.#stats;
    if (s.inFlight >= this.limits.maxInFlight || performance.now() < this.#overloadedUntil) {
      s.shed += 1;
      return false;
    }
    s.inFlight += 1;
    s.peakInFlight = Math.max(s.peakInFlight, s.inFlight);
    return true;
  }

  leave(): void {
    this.#stats.inFlight -= 1;
  }

  stats(): ShedderStats {
    return { ...this.#stats };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
