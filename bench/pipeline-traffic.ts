// Traffic for the end-to-end benchmark: the seeded generator's app events, padded to ~1 KB with the
// optional attributes real clients send (long URLs with campaign parameters, referrers, stacks,
// cart ids), 500 to a request, as API Gateway hands them to the ingest λ (base64 body, API key).
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { config } from '#shared/config.js';
import { generateTraffic } from '../local/tools/traffic/traffic.js';
import { loadEvent } from '../tests/helpers/events.js';

export const EVENTS_PER_REQUEST = config.api.maxEventsPerRequest;

/** Replaced per event by its event_id: every event stays distinct, like real traffic, so Parquet's
 * dictionaries see real entropy rather than the pool's few thousand payloads. */
const UNIQUE = '@ID@';

const campaign = (i: number) =>
  `utm_source=newsletter&utm_medium=email&utm_campaign=winter-sale-2025&utm_content=hero-image-variant-${i % 7}&gclid=EAIaIQobChMI8rX1y9j4-AIVh-N3Ch0kXw2bEAAYASAAEgKJ2vD_BwE-${i % 997}&fbclid=IwAR2xYz${'q'.repeat(150)}&mc_eid=${UNIQUE}&ref_page=%2Fcategory%2Foutdoor%2Fjackets%3Fsort%3Dprice_asc`;

/** Optional attributes each type's schema allows, so every padded event stays valid. */
const padding: Record<string, (i: number, attributes: Record<string, unknown>) => Record<string, unknown>> = {
  page_view: (i, a) => ({
    ...a,
    url: `${a.url}${String(a.url).includes('?') ? '&' : '?'}${campaign(i)}`,
    referrer: `https://www.google.com/search?q=example+shop+winter+jackets+${i % 113}&${campaign(i + 1)}`,
    title: `Example Shop — outdoor jackets, boots and accessories for the winter season, page ${i % 40}`,
  }),
  session_start: (i, a) => ({ ...a, referrer: `https://news.example.org/articles/${i % 500}?${campaign(i)}` }),
  add_to_cart: (_i, a) => ({ ...a, cart_id: `cart-${UNIQUE}-${'c'.repeat(64)}` }),
  purchase: (i, a) => ({ ...a, order_id: `o-${UNIQUE}`, coupon: `WINTER-SALE-2025-${i % 50}` }),
  app_error: (i, a) => ({
    ...a,
    screen: 'CheckoutScreen',
    stack: `TypeError: failed to fetch\n    at CartApi.load (cart.js:120:15)\n    at async CheckoutScreen.mount (checkout.js:44:9)\n    at async Router.navigate (router.js:${200 + (i % 50)}:5)\n    at async App.start (app.js:31:3)\n    trace ${UNIQUE}`,
  }),
};

export interface BenchRequest {
  event: APIGatewayProxyEvent;
  events: number;
  /** Events in it that must reach curated (the rest fail the transform's schema check). */
  valid: number;
  bytes: number;
}

interface PooledEvent {
  app: string;
  valid: boolean;
  /** The event's JSON, split around the places its event_id goes. */
  parts: string[];
}

const POOL = 5_000;

/**
 * A pool of generated events (the seeded generator's app events, padded; a 1% share fails the
 * transform's schema check so failed_events has data; none rejected at the edge, late or duplicated),
 * reused with a fresh event_id each time: generating 1M events from scratch would cost the
 * benchmark a fifth of its own CPU.
 */
function eventPool(seed: number, appIds: readonly string[]): PooledEvent[] {
  const pool: PooledEvent[] = [];
  for (const item of generateTraffic({ seed, appIds, devices: 0, invalidShare: 0.01 })) {
    if (pool.length >= POOL) break;
    if (item.kind !== 'valid' && item.kind !== 'schema_violation' && item.kind !== 'unknown_type') continue;
    const event = JSON.parse(item.line) as {
      event_id: string;
      event_type: string;
      attributes: Record<string, unknown>;
    };
    const pad = padding[event.event_type];
    if (pad && item.kind === 'valid') event.attributes = pad(pool.length, event.attributes);
    const parts = JSON.stringify({ ...event, event_id: UNIQUE }).split(UNIQUE);
    pool.push({ app: item.appId as string, valid: item.kind === 'valid', parts });
  }
  return pool;
}

/** A distinct, valid UUID v4 per n. */
const eventId = (n: number, salt: string): string => {
  const hex = n.toString(16).padStart(22, '0');
  return `${salt}-4${hex.slice(0, 3)}-8${hex.slice(3, 6)}-${hex.slice(6, 10)}-${hex.slice(10)}`;
};

/** `total` events in 500-event requests, one app per request, every event_id distinct. */
export function* benchRequests(total: number, seed: number): Generator<BenchRequest> {
  const template = loadEvent<APIGatewayProxyEvent>('apigw-post-events');
  const keyOfApp = new Map(Object.entries(config.local.apiKeys).map(([key, app]) => [app, key]));
  const pool = eventPool(seed, [...keyOfApp.keys()]);
  const salt = seed.toString(16).padStart(8, '0').slice(-8);
  const pending = new Map<string, { lines: string[]; valid: number }>();
  for (let made = 0; made < total; ) {
    const pooled = pool[made % pool.length] as PooledEvent;
    const batch = pending.get(pooled.app) ?? { lines: [], valid: 0 };
    batch.lines.push(pooled.parts.join(eventId(made, salt)));
    if (pooled.valid) batch.valid += 1;
    pending.set(pooled.app, batch);
    made += 1;
    if (batch.lines.length < EVENTS_PER_REQUEST && made < total) continue;
    for (const [app, full] of pending) {
      if (full.lines.length === 0 || (full.lines.length < EVENTS_PER_REQUEST && made < total)) continue;
      yield request(template, keyOfApp.get(app) as string, full.lines.splice(0), full.valid);
      full.valid = 0;
    }
  }
}

function request(template: APIGatewayProxyEvent, apiKey: string, lines: string[], valid: number): BenchRequest {
  const body = Buffer.from(`{"events":[${lines.join(',')}]}`);
  const event: APIGatewayProxyEvent = {
    ...template,
    headers: { ...template.headers, 'x-api-key': apiKey },
    multiValueHeaders: { ...template.multiValueHeaders, 'x-api-key': [apiKey] },
    requestContext: {
      ...template.requestContext,
      requestId: randomUUID(),
      identity: { ...template.requestContext.identity, apiKey },
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
  return { event, events: lines.length, valid, bytes: body.byteLength };
}
