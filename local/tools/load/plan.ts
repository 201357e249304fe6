// `eventlake load`: the run's plan (stages and hard caps) parsed from argv, and the messages the
// load client (a separate process) and the runner exchange over IPC.
import { parseArgs } from 'node:util';
import { config } from '#shared/config.js';

export const loadHelp = `eventlake load — a stepped load run against the local HTTP endpoint (127.0.0.1 only)

Usage: eventlake load [options]

  --stages <list>         offered requests/s per stage (default 20,50,100,200,400,800)
  --stage-seconds <s>     seconds each stage sends (default 5)
  --batch <n>             events per request, at most ${config.api.maxEventsPerRequest} (default ${config.api.maxEventsPerRequest})
  --max-requests <n>      hard cap on requests over the whole run (default 20000)
  --max-seconds <s>       hard cap on the sending time of the whole run (default 90)
  --client-in-flight <n>  requests the client keeps open at once; past it sends are dropped (default 256)
  --timeout-seconds <s>   a request unanswered this long counts as the server not answering (default 30)
  --settle-seconds <s>    time allowed to settle the pipeline afterwards (default 120)
  --invalid <share>       share of invalid events, 0–1 (default 0.02)
  --seed <n>              seed of the generator (default 1)
  --time-scale <x>        the pipeline's time scale (default ${config.local.timeScale}; see local/pipeline/clock.ts)
  --data-dir <dir>        data directory (default: a fresh temporary one, removed afterwards)
  --results <file>        machine-readable results (default bench/load-results.json)
  --help                  this text

Exit code 0 when the server answered throughout and every accepted event is accounted for after
settling; 1 otherwise; 2 on bad usage.`;

export interface LoadPlan {
  /** Offered requests per second, one entry per stage. */
  stages: number[];
  stageSeconds: number;
  batch: number;
  maxRequests: number;
  maxSeconds: number;
  clientInFlight: number;
  timeoutMs: number;
  settleSeconds: number;
  invalidShare: number;
  seed: number;
  timeScale: number;
  dataDir?: string;
  resultsPath: string;
}

const number = (value: string | undefined, fallback: number, name: string, min = 0): number => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${value}`);
  return n;
};

const STRING_OPTIONS = [
  'stages',
  'stage-seconds',
  'batch',
  'max-requests',
  'max-seconds',
  'client-in-flight',
  'timeout-seconds',
  'settle-seconds',
  'invalid',
  'seed',
  'time-scale',
  'data-dir',
  'results',
];

export function loadPlan(argv: string[]): LoadPlan | 'help' {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const name of STRING_OPTIONS) options[name] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options }) as { values: Record<string, string | boolean | undefined> };
  if (values.help) return 'help';
  const text = (name: string) => values[name] as string | undefined;

  const stages = (text('stages') ?? '20,50,100,200,400,800').split(',').map((s) => number(s, 0, 'stages', 0.1));
  const batch = number(text('batch'), config.api.maxEventsPerRequest, 'batch', 1);
  if (batch > config.api.maxEventsPerRequest) throw new Error(`--batch is at most ${config.api.maxEventsPerRequest}`);
  const invalidShare = number(text('invalid'), 0.02, 'invalid');
  if (invalidShare > 1) throw new Error('--invalid is a share between 0 and 1');
  const dataDir = text('data-dir');
  return {
    stages,
    stageSeconds: number(text('stage-seconds'), 5, 'stage-seconds', 0.1),
    batch,
    maxRequests: number(text('max-requests'), 20_000, 'max-requests', 1),
    maxSeconds: number(text('max-seconds'), 90, 'max-seconds', 1),
    clientInFlight: number(text('client-in-flight'), 256, 'client-in-flight', 1),
    timeoutMs: number(text('timeout-seconds'), 30, 'timeout-seconds', 1) * 1000,
    settleSeconds: number(text('settle-seconds'), 120, 'settle-seconds', 1),
    invalidShare,
    seed: number(text('seed'), 1, 'seed'),
    timeScale: number(text('time-scale'), config.local.timeScale, 'time-scale', 0.000001),
    ...(dataDir === undefined ? {} : { dataDir }),
    resultsPath: text('results') ?? 'bench/load-results.json',
  };
}

/** What the client measured in one stage. Latencies cover answered requests only. */
export interface ClientStage {
  offeredRps: number;
  /** From the first send to the last answer (or timeout) of the stage. */
  seconds: number;
  /** From the first send to the last. */
  sendSeconds: number;
  sent: number;
  /** Sends skipped because clientInFlight requests were already open. */
  dropped: number;
  answered: number;
  /** No answer within timeoutMs. */
  timeouts: number;
  networkErrors: number;
  byStatus: Record<string, number>;
  /** Answers that carried Retry-After, by status. */
  retryAfter: Record<string, number>;
  acceptedEvents: number;
  rejectedEvents: number;
  /** Events in requests whose outcome the client cannot know (timeout, network error, 5xx from the gateway). */
  unknownOutcomeEvents: number;
  latencyMs: { p50: number; p99: number; max: number };
  health: { ok: boolean; status: number; ms: number };
}

export type ClientMessage =
  | { type: 'ready'; pooledEvents: number }
  | { type: 'stage-start'; index: number }
  | { type: 'stage-end'; index: number; stage: ClientStage }
  | { type: 'done'; stoppedBy: 'completed' | 'maxRequests' | 'maxSeconds' | 'unresponsive' };

export type RunnerMessage = { type: 'start'; url: string; plan: LoadPlan };
