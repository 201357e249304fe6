// One stage of the load client: open-loop pacing (requests go out at the offered rate whatever the
// answers), a cap on open requests (past it a send is dropped and counted), a timeout per request,
// then a health check once every answer of the stage is in.
import type { ClientStage, LoadPlan } from './plan.js';

export interface OutgoingRequest {
  apiKey: string;
  body: string;
  events: number;
}

export interface StageBudget {
  /** Requests still allowed over the whole run. */
  requestsLeft: number;
  /** performance.now() past which nothing more is sent. */
  deadline: number;
}

type Tally = Omit<ClientStage, 'offeredRps' | 'seconds' | 'sendSeconds' | 'latencyMs' | 'health'> & {
  latencies: number[];
};

const TICK_MS = 5;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Answers from the gateway itself after the handler may have run: the client cannot know what landed. */
const UNKNOWN_OUTCOME = new Set([500, 502, 504]);

export async function runStage(
  url: string,
  offeredRps: number,
  plan: LoadPlan,
  io: { next: () => OutgoingRequest; budget: StageBudget },
): Promise<ClientStage> {
  const tally: Tally = {
    sent: 0,
    dropped: 0,
    answered: 0,
    timeouts: 0,
    networkErrors: 0,
    byStatus: {},
    retryAfter: {},
    acceptedEvents: 0,
    rejectedEvents: 0,
    unknownOutcomeEvents: 0,
    latencies: [],
  };
  const total = Math.round(offeredRps * plan.stageSeconds);
  const open = new Set<Promise<void>>();
  const start = performance.now();
  for (let issued = 0; issued < total; ) {
    const now = performance.now();
    if (now >= io.budget.deadline || io.budget.requestsLeft <= 0) break;
    const due = Math.min(total, Math.floor(((now - start) / 1000) * offeredRps) + 1);
    for (; issued < due && io.budget.requestsLeft > 0; issued += 1) {
      if (open.size >= plan.clientInFlight) {
        tally.dropped += 1;
        continue;
      }
      io.budget.requestsLeft -= 1;
      tally.sent += 1;
      const request = send(`${url}/v1/events`, io.next(), plan.timeoutMs, tally).finally(() => open.delete(request));
      open.add(request);
    }
    await sleep(TICK_MS);
  }
  const sendSeconds = (performance.now() - start) / 1000;
  await Promise.all(open);
  const seconds = (performance.now() - start) / 1000;
  const health = await checkHealth(url, plan.timeoutMs);
  const { latencies, ...counts } = tally;
  return { offeredRps, seconds, sendSeconds, ...counts, latencyMs: percentiles(latencies), health };
}

async function send(url: string, request: OutgoingRequest, timeoutMs: number, tally: Tally): Promise<void> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'x-api-key': request.apiKey },
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    tally.latencies.push(performance.now() - started);
    tally.answered += 1;
    const status = String(response.status);
    tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
    if (response.headers.has('retry-after')) tally.retryAfter[status] = (tally.retryAfter[status] ?? 0) + 1;
    const body = parse(text);
    if (typeof body.accepted === 'number') tally.acceptedEvents += body.accepted;
    if (Array.isArray(body.rejected)) tally.rejectedEvents += body.rejected.length;
    if (UNKNOWN_OUTCOME.has(response.status)) tally.unknownOutcomeEvents += request.events;
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') tally.timeouts += 1;
    else tally.networkErrors += 1;
    tally.unknownOutcomeEvents += request.events;
  }
}

function parse(text: string): { accepted?: unknown; rejected?: unknown } {
  try {
    return JSON.parse(text) as { accepted?: unknown; rejected?: unknown };
  } catch {
    return {};
  }
}

/** GET /v1/health until it answers 200 (a shed 503 is retried after its Retry-After) or the timeout passes. */
async function checkHealth(url: string, timeoutMs: number): Promise<ClientStage['health']> {
  const started = performance.now();
  const left = () => timeoutMs - (performance.now() - started);
  let status = 0;
  while (left() > 0) {
    try {
      const response = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(Math.max(1, Math.ceil(left()))) });
      await response.arrayBuffer();
      status = response.status;
      if (status === 200) break;
      await sleep(Math.min(left(), Number(response.headers.get('retry-after') ?? 1) * 1000));
    } catch {
      status = 0;
      break;
    }
  }
  return { ok: status === 200, status, ms: Math.round(performance.now() - started) };
}

export function percentiles(values: number[]): ClientStage['latencyMs'] {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] as number) };
}
