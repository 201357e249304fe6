// The client side of the ingest contract (used by `eventlake send` and the local demo): post a
// batch, re-send exactly the `failed` indexes of a 503 after Retry-After, back off on 429/5xx.
import { gzipSync } from 'node:zlib';

export interface SendTarget {
  /** Full URL of POST /v1/events. */
  url: string;
  apiKey: string;
  ndjson: boolean;
  gzip: boolean;
  fetch: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  maxAttempts?: number;
}

export interface DeliveryResult {
  accepted: number;
  rejected: number;
  /** Event sends beyond the first. */
  retried: number;
  /** Events given up on: neither accepted nor rejected. */
  failed: number;
  requests: number;
  /** The last error answer that ended a batch, for the summary. */
  lastError?: string;
}

interface Answer {
  status: number;
  body: { accepted?: number; rejected?: unknown[]; failed?: number[]; error?: string; message?: string };
  retryAfterMs?: number;
}

const RETRY_WHOLE = new Set([429, 500, 502, 503, 504]);

/** Delivers one batch of event lines; never throws for HTTP or network failures. */
export async function deliverBatch(lines: readonly string[], target: SendTarget): Promise<DeliveryResult> {
  const sleep = target.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const result: DeliveryResult = { accepted: 0, rejected: 0, retried: 0, failed: 0, requests: 0 };
  let pending = lines.map((_, i) => i);
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) result.retried += pending.length;
    const answer = await post(
      pending.map((i) => lines[i] as string),
      target,
    );
    result.requests += 1;
    const settled = settle(answer, pending, result);
    if (settled === undefined) return result;
    pending = settled;
    if (attempt >= (target.maxAttempts ?? 6)) break;
    await sleep(Math.max(answer.retryAfterMs ?? 0, backoff(attempt, target.random ?? Math.random)));
  }
  result.failed += pending.length;
  return result;
}

/** Counts what an answer settled; resolves the indexes still to send, or undefined when done. */
function settle(answer: Answer, pending: number[], result: DeliveryResult): number[] | undefined {
  const { status, body } = answer;
  if (typeof body.accepted === 'number' && Array.isArray(body.rejected)) {
    result.accepted += body.accepted;
    result.rejected += body.rejected.length;
    if (status !== 503 || !Array.isArray(body.failed)) return undefined;
    return body.failed.map((i) => pending[i] as number);
  }
  if (RETRY_WHOLE.has(status) || status === 0) return pending;
  if (status === 400 && body.error === 'malformed_body') {
    result.rejected += pending.length;
    return undefined;
  }
  result.failed += pending.length;
  result.lastError = `${status} ${body.error ?? ''} ${body.message ?? ''}`.trim();
  return undefined;
}

async function post(lines: readonly string[], target: SendTarget): Promise<Answer> {
  const text = target.ndjson ? `${lines.join('\n')}\n` : `{"events":[${lines.join(',')}]}`;
  const headers: Record<string, string> = {
    'Content-Type': target.ndjson ? 'application/x-ndjson' : 'application/json',
    'x-api-key': target.apiKey,
  };
  if (target.gzip) headers['Content-Encoding'] = 'gzip';
  try {
    const response = await target.fetch(target.url, {
      method: 'POST',
      headers,
      body: target.gzip ? gzipSync(text) : text,
    });
    const retryAfter = Number(response.headers.get('retry-after'));
    const body = (await response.json().catch(() => ({}))) as Answer['body'];
    return { status: response.status, body, ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
  } catch {
    return { status: 0, body: {} };
  }
}

/** Full jitter over 200 ms · 2^(attempt−1), capped at 5 s. */
const backoff = (attempt: number, random: () => number): number =>
  Math.floor(random() * Math.min(5_000, 200 * 2 ** (attempt - 1)));
