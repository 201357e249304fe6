// The crash run's client: valid events with fresh ids in batches over HTTP, several requests in flight,
// and a ledger of exactly the ids the API acknowledged (a 200, or the indexes a 503 did not list as
// failed). A request the crash cuts off acknowledges nothing.
import { randomUUID } from 'node:crypto';
import { config } from '#shared/config.js';

export interface AckLedger {
  acknowledged: Set<string>;
  requests: number;
  cutOff: number;
  refused: number;
}

export const newLedger = (): AckLedger => ({ acknowledged: new Set(), requests: 0, cutOff: 0, refused: 0 });

const [apiKey = ''] = Object.keys(config.local.apiKeys);
const eventTypes = ['page_view', 'purchase'] as const;

function event(type: (typeof eventTypes)[number], eventTime: string): { id: string; body: unknown } {
  const id = randomUUID();
  const attributes =
    type === 'page_view'
      ? { url: 'https://shop.example.com/', title: 'Home', duration_ms: 900 }
      : {
          order_id: `o-${id.slice(0, 8)}`,
          amount: 19.9,
          currency: 'EUR',
          items: [{ sku: 'A', quantity: 1, unit_price: 19.9 }],
        };
  return { id, body: { event_id: id, event_type: type, event_time: eventTime, attributes } };
}

/** One batch; its acknowledged ids go into the ledger. Never throws for a cut-off request. */
export async function sendBatch(url: string, size: number, ledger: AckLedger): Promise<number> {
  const eventTime = new Date(Date.now() - 30_000).toISOString();
  const events = Array.from({ length: size }, (_, i) => event(eventTypes[i % 2] as 'page_view', eventTime));
  ledger.requests += 1;
  let status: number;
  let answer: { failed?: number[]; rejected?: { index: number }[] };
  try {
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ events: events.map((e) => e.body) }),
    });
    status = response.status;
    answer = (await response.json()) as typeof answer;
  } catch {
    ledger.cutOff += 1;
    return 0;
  }
  if (status !== 200 && !(status === 503 && Array.isArray(answer.failed))) {
    ledger.refused += 1;
    return 0;
  }
  const notTaken = new Set([...(answer.failed ?? []), ...(answer.rejected ?? []).map((r) => r.index)]);
  let acked = 0;
  events.forEach((e, i) => {
    if (notTaken.has(i)) return;
    ledger.acknowledged.add(e.id);
    acked += 1;
  });
  return acked;
}

/** `batches` batches, `inFlight` at a time; `onAnswer` is called after each answer (the n-th so far). */
export async function sendTraffic(
  url: string,
  options: { batches: number; batchSize: number; inFlight: number },
  ledger: AckLedger,
  onAnswer: (answered: number) => void = () => {},
): Promise<void> {
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < options.batches) {
      next += 1;
      await sendBatch(url, options.batchSize, ledger);
      answered += 1;
      onAnswer(answered);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
}
