// Realistic, seeded event traffic for the demo, the benchmarks and smoke tests: apps and devices,
// the six event types, event times spread over the last day, and chosen shares of invalid, late
// and duplicate events. Pure: the same options give the same events.
import { config } from '#shared/config.js';

export type TrafficKind =
  | 'valid'
  | 'late'
  | 'duplicate'
  /** Accepted by the edge, failed by the transform (attributes break the type's schema). */
  | 'schema_violation'
  /** Accepted by the edge, failed by the transform (no schema for the type). */
  | 'unknown_type'
  /** Rejected at the edge: the envelope is wrong (bad event_time or no event_id). */
  | 'envelope_violation'
  /** Not JSON at all. */
  | 'malformed_json';

export interface TrafficItem {
  kind: TrafficKind;
  /** The event as JSON text, one line. */
  line: string;
  appId?: string;
  deviceId?: string;
  eventId?: string;
}

/** The mix the demo and the chaos run send: a few invalid, duplicate and late events among the valid. */
export const demoTrafficMix = { invalidShare: 0.04, duplicateShare: 0.02, lateShare: 0.01 } as const;

export interface TrafficOptions {
  seed: number;
  /** App ids; app events carry one of them. */
  appIds: readonly string[];
  devices: number;
  invalidShare?: number;
  duplicateShare?: number;
  lateShare?: number;
  /** Clock for event and send times; event times fall in the day before it. */
  now?: () => number;
}

const DAY_MS = 86_400_000;
const INVALID_KINDS: TrafficKind[] = ['schema_violation', 'unknown_type', 'envelope_violation', 'malformed_json'];

/** Edge-rejected kinds: what `eventlake send` expects the API to answer as rejected. */
export const rejectedAtEdge = (kind: TrafficKind): boolean =>
  kind === 'envelope_violation' || kind === 'malformed_json';

/** A seeded PRNG (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function* generateTraffic(options: TrafficOptions): Generator<TrafficItem> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const now = options.now ?? Date.now;
  const recent: TrafficItem[] = [];
  const source = makeSources(options, random, pick);
  for (;;) {
    const roll = random();
    const duplicateShare = options.duplicateShare ?? 0;
    const invalidShare = options.invalidShare ?? 0;
    if (roll < duplicateShare && recent.length > 0) {
      yield { ...pick(recent), kind: 'duplicate' };
      continue;
    }
    const event = source(now());
    const late = roll >= duplicateShare && roll < duplicateShare + (options.lateShare ?? 0);
    if (late) event.event_time = Math.floor(now() - (config.events.freshnessWindowDays + 1 + random() * 5) * DAY_MS);
    const invalid = random() < invalidShare;
    const kind: TrafficKind = invalid ? pick(INVALID_KINDS) : late ? 'late' : 'valid';
    const item = finish(event, kind, random);
    if (kind === 'valid' && recent.push(item) > 1_000) recent.shift();
    yield item;
  }
}

type Source = (nowMs: number) => Record<string, unknown>;

function makeSources(options: TrafficOptions, random: () => number, pick: <T>(items: readonly T[]) => T): Source {
  const devices = Array.from({ length: options.devices }, (_, i) => `device-${String(i + 1).padStart(4, '0')}`);
  const deviceShare = options.appIds.length === 0 ? 1 : devices.length === 0 ? 0 : 0.3;
  return (nowMs) => {
    const eventTimeMs = Math.floor(nowMs - random() * DAY_MS);
    const base = { event_id: uuid(random), event_version: 1 };
    if (random() < deviceShare) {
      const device = pick(devices);
      const eventType = random() < 0.95 ? 'telemetry_reading' : 'session_start';
      const attributes =
        eventType === 'telemetry_reading' ? telemetry(random, pick) : { platform: 'device', app_version: '4.2.1' };
      // Devices report when they sent, by their own (slightly wrong) clock.
      const sentAt = nowMs - Math.floor(random() * 3_000);
      return {
        ...base,
        event_type: eventType,
        event_time: eventTimeMs,
        sent_at: sentAt,
        device_id: device,
        attributes,
      };
    }
    const appId = pick(options.appIds);
    const user = Math.floor(random() * 5_000);
    const eventType = pick(APP_EVENT_MIX);
    return {
      ...base,
      event_type: eventType,
      event_time: random() < 0.5 ? new Date(eventTimeMs).toISOString() : eventTimeMs,
      app_id: appId,
      user_id: `user-${user}`,
      session_id: `sess-${user}-${Math.floor(eventTimeMs / 1_800_000)}`,
      attributes: APP_ATTRIBUTES[eventType]?.(random, pick) ?? {},
    };
  };
}

function finish(event: Record<string, unknown>, kind: TrafficKind, random: () => number): TrafficItem {
  if (kind === 'schema_violation') event.attributes = { ...(event.attributes as object), unexpected_field: true };
  if (kind === 'unknown_type') event.event_type = 'coupon_redeemed';
  if (kind === 'envelope_violation') {
    if (random() < 0.5) event.event_time = 'yesterday afternoon';
    else delete event.event_id;
  }
  const text = JSON.stringify(event);
  const line = kind === 'malformed_json' ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text;
  const item: TrafficItem = { kind, line };
  if (typeof event.app_id === 'string') item.appId = event.app_id;
  if (typeof event.device_id === 'string') item.deviceId = event.device_id;
  if (typeof event.event_id === 'string') item.eventId = event.event_id;
  return item;
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

type Pick = <T>(items: readonly T[]) => T;
type Attributes = (random: () => number, pick: Pick) => Record<string, unknown>;

const APP_EVENT_MIX = [
  ...Array(10).fill('page_view'),
  'session_start',
  'session_start',
  'add_to_cart',
  'add_to_cart',
  'add_to_cart',
  'purchase',
  'app_error',
] as string[];
const SKUS = ['TSHIRT-BLUE-M', 'TSHIRT-RED-L', 'MUG-WHITE', 'CAP-BLACK', 'SOCKS-3PK', 'HOODIE-GREY-XL'];
const PAGES = ['/', '/search?q=shirt', '/product/tshirt-blue', '/cart', '/checkout', '/account'];
const money = (random: () => number) => Math.round((5 + random() * 95) * 100) / 100;

const APP_ATTRIBUTES: Record<string, Attributes> = {
  page_view: (random, pick) => ({
    url: `https://shop.example.com${pick(PAGES)}`,
    title: 'Example Shop',
    duration_ms: Math.floor(random() * 60_000),
    viewport: { width: pick([390, 768, 1440]), height: pick([844, 1024, 900]) },
  }),
  session_start: (random, pick) => ({
    platform: pick(['web', 'ios', 'android']),
    app_version: '3.2.0',
    locale: pick(['en-GB', 'de-DE', 'fr-FR', 'en']),
    is_first_session: random() < 0.1,
  }),
  add_to_cart: (random, pick) => ({
    sku: pick(SKUS),
    quantity: 1 + Math.floor(random() * 3),
    unit_price: money(random),
    currency: 'EUR',
  }),
  purchase: (random, pick) => {
    const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      sku: pick(SKUS),
      quantity: 1 + Math.floor(random() * 2),
      unit_price: money(random),
    }));
    const amount = Math.round(items.reduce((sum, i) => sum + i.quantity * i.unit_price, 0) * 100) / 100;
    return {
      order_id: `o-${Math.floor(random() * 1e9)}`,
      amount,
      currency: 'EUR',
      payment_method: pick(['card', 'paypal', 'apple_pay']),
      items,
    };
  },
  app_error: (random, pick) => ({
    error_code: pick(['E_NETWORK', 'E_TIMEOUT', 'E_RENDER']),
    message: 'request failed',
    severity: pick(['warning', 'error']),
    handled: random() < 0.8,
  }),
};

function telemetry(random: () => number, pick: Pick): Record<string, unknown> {
  const [sensor, unit, low, high] = pick([
    ['temperature', 'celsius', 15, 30],
    ['humidity', 'percent', 20, 80],
    ['pressure', 'hectopascal', 980, 1040],
    ['power', 'watt', 0, 2_000],
  ] as const);
  return {
    sensor,
    unit,
    value: Math.round((low + random() * (high - low)) * 10) / 10,
    battery_pct: Math.floor(random() * 100),
    firmware: '1.8.3',
  };
}
