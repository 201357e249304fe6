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
  /** The first few reasons events were rejected for (`<reason> (index i)`). */
  reasons: string[];
  /** A cause no retry can fix (nothing listens, the key was refused): the sender should stop. */
  fatal?: Fatal;
}

/** Why sending cannot succeed, as the client saw it. */
export type Fatal = { kind: 'unreachable'; code: string } | { kind: 'key-refused'; status: number; message: string };

/** Rejection reasons kept per batch and in a summary. */
export const MAX_REASONS = 5;

/** Network error codes that mean nothing answers at that address: retrying does not help. */
/** ('bad port': fetch refuses the port outright.) */
const UNREACHABLE = new Set(['bad port', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface Answer {
  status: number;
  body: {
    accepted?: number;
    rejected?: { index?: number; reason?: string }[];
    failed?: number[];
    error?: string;
    message?: string;
  };
  retryAfterMs?: number;
  /** The network error's code when no answer came. */
  networkError?: string;
}

const RETRY_WHOLE = new Set([429, 500, 502, 503, 504]);

/** Delivers one batch of event lines; never throws for HTTP or network failures. */
export async function deliverBatch(lines: readonly string[], target: SendTarget): Promise<DeliveryResult> {
  const sleep = target.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const result: DeliveryResult = { accepted: 0, rejected: 0, retried: 0, failed: 0, requests: 0, reasons: [] };
  let pending = lines.map((_, i) => i);
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) result.retried += pending.length;
    const answer = await post(
      pending.map((i) => lines[i] as string),
      target,
    );
    result.requests += 1;
    const fatal = fatalCause(answer);
    if (fatal !== undefined) {
      result.fatal = fatal;
      if (answer.status > 0) result.lastError = describe(answer);
      break;
    }
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
    for (const rejection of body.rejected.slice(0, MAX_REASONS - result.reasons.length))
      result.reasons.push(`${rejection.reason ?? 'rejected'} (index ${pending[rejection.index ?? -1] ?? '?'})`);
    if (status !== 503 || !Array.isArray(body.failed)) return undefined;
    return body.failed.map((i) => pending[i] as number);
  }
  if (RETRY_WHOLE.has(status) || status === 0) return pending;
  if (status === 400 && body.error === 'malformed_body') {
    result.rejected += pending.length;
    if (result.reasons.length < MAX_REASONS) result.reasons.push(`malformed_body: ${body.message ?? ''}`.trim());
    return undefined;
  }
  result.failed += pending.length;
  result.lastError = describe(answer);
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
  } catch (error) {
    return { status: 0, body: {}, networkError: networkCode(error) };
  }
}

/** The code of a failed fetch (undici puts the socket error, or an AggregateError of them, in `cause`). */
function networkCode(error: unknown): string {
  let cause = (error as { cause?: unknown }).cause ?? error;
  const inner = (cause as { errors?: unknown[] }).errors;
  if (Array.isArray(inner) && inner.length > 0) cause = inner[0];
  const { code, message } = cause as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return code;
  return message === 'bad port' ? 'bad port' : 'network error';
}

const describe = ({ status, body }: Answer): string => `${status} ${body.error ?? ''} ${body.message ?? ''}`.trim();

function fatalCause(answer: Answer): Fatal | undefined {
  if (answer.networkError !== undefined && UNREACHABLE.has(answer.networkError))
    return { kind: 'unreachable', code: answer.networkError };
  if (answer.status === 401 || answer.status === 403)
    return { kind: 'key-refused', status: answer.status, message: answer.body.message ?? answer.body.error ?? '' };
  return undefined;
}

/** Full jitter over 200 ms · 2^(attempt−1), capped at 5 s. */
const backoff = (attempt: number, random: () => number): number =>
  Math.floor(random() * Math.min(5_000, 200 * 2 ** (attempt - 1)));
