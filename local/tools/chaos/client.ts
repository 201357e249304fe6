// The chaos run's client: posts a batch to POST /v1/events and keeps the outcome of every event in
// it — accepted (a 2xx for its index), rejected with a reason, or given up on — re-sending exactly
// the indexes a 503 names after Retry-After, and whole requests on 429/5xx/network errors.

export type EventOutcome = { kind: 'accepted' } | { kind: 'rejected'; reason: string } | { kind: 'undelivered' };

export interface BatchTarget {
  url: string;
  apiKey: string;
  fetch: typeof fetch;
  maxAttempts: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface BatchDelivery {
  /** One outcome per line, in order. */
  outcomes: EventOutcome[];
  /** 503 answers naming `failed` indexes that were sent again, and how many events that was. */
  partial503: number;
  resentAfter503: number;
  /** Whole requests sent again (429, 5xx without a body, network errors). */
  wholeRetries: number;
  /** Answers whose `accepted` count disagrees with the indexes they did not name (a contract break). */
  mismatches: string[];
}

interface Answer {
  status: number;
  body: { accepted?: unknown; rejected?: unknown; failed?: unknown; error?: unknown };
  retryAfterMs: number;
}

const RETRY_WHOLE = new Set([0, 429, 500, 502, 503, 504]);
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function deliverTracked(lines: readonly string[], target: BatchTarget): Promise<BatchDelivery> {
  const sleep = target.sleep ?? delay;
  const delivery: BatchDelivery = {
    outcomes: lines.map(() => ({ kind: 'undelivered' })),
    partial503: 0,
    resentAfter503: 0,
    wholeRetries: 0,
    mismatches: [],
  };
  let pending = lines.map((_, i) => i);
  for (let attempt = 1; pending.length > 0 && attempt <= target.maxAttempts; attempt++) {
    const answer = await post(
      pending.map((i) => lines[i] as string),
      target,
    );
    const next = applyAnswer(answer, pending, delivery);
    if (next === undefined || attempt === target.maxAttempts) break;
    if (next === pending) delivery.wholeRetries += 1;
    else {
      delivery.partial503 += 1;
      delivery.resentAfter503 += next.length;
    }
    pending = next;
    await sleep(Math.max(answer.retryAfterMs, 100 * attempt));
  }
  return delivery;
}

/** Records what one answer settled; the indexes still to send (the same array: all of them), or undefined when done. */
function applyAnswer(answer: Answer, pending: number[], delivery: BatchDelivery): number[] | undefined {
  const { status, body } = answer;
  if (typeof body.accepted === 'number' && Array.isArray(body.rejected)) {
    const rejected = new Map<number, string>();
    for (const r of body.rejected as { index?: unknown; reason?: unknown }[]) {
      if (typeof r.index === 'number') rejected.set(r.index, String(r.reason));
    }
    const failed = new Set(status === 503 && Array.isArray(body.failed) ? (body.failed as number[]) : []);
    let accepted = 0;
    pending.forEach((line, position) => {
      const reason = rejected.get(position);
      if (reason !== undefined) delivery.outcomes[line] = { kind: 'rejected', reason };
      else if (!failed.has(position)) {
        delivery.outcomes[line] = { kind: 'accepted' };
        accepted += 1;
      }
    });
    if (accepted !== body.accepted)
      delivery.mismatches.push(`answer ${status}: accepted ${body.accepted}, ${accepted} unnamed`);
    const resend = pending.filter((_, position) => failed.has(position));
    return resend.length > 0 ? resend : undefined;
  }
  if (status === 400 && body.error === 'malformed_body') {
    for (const line of pending) delivery.outcomes[line] = { kind: 'rejected', reason: 'malformed_body' };
    return undefined;
  }
  if (RETRY_WHOLE.has(status)) return pending;
  for (const line of pending) delivery.outcomes[line] = { kind: 'rejected', reason: `http_${status}` };
  return undefined;
}

async function post(lines: readonly string[], target: BatchTarget): Promise<Answer> {
  try {
    const response = await target.fetch(target.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-api-key': target.apiKey },
      body: `{"events":[${lines.join(',')}]}`,
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    const body = (await response.json().catch(() => ({}))) as Answer['body'];
    return { status: response.status, body, retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : 0 };
  } catch {
    return { status: 0, body: {}, retryAfterMs: 0 };
  }
}
