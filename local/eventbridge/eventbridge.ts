// A local EventBridge bus: rules with exact-value patterns, each targeting a Lambda handler invoked
// the way Lambda invokes asynchronously — later, with its own copy of the event, retried twice (after
// 1 and 2 minutes, scaled) on error, then recorded as Lambda's on-failure destination record.
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { config } from '#shared/config.js';
import { ATHENA_QUERY_STATE_CHANGE, ATHENA_SOURCE, type AthenaQueryStateChange } from '#shared/retries/run-retry.js';
import type { QueryExecution, QueryState } from '../athena/execution.js';

export type BusEvent = EventBridgeEvent<string, unknown>;

/** Field → accepted values ("any of"), or a nested pattern for an object field. */
export interface LocalEventPattern {
  [field: string]: readonly (string | number | boolean)[] | LocalEventPattern;
}

export interface LocalRule {
  name: string;
  pattern: LocalEventPattern;
  /** The target function's name, as it appears in on-failure records. */
  functionName: string;
  handler: (event: BusEvent) => Promise<unknown>;
  /** Lambda's MaximumRetryAttempts for async invokes: 0–2, default 2. */
  maximumRetryAttempts?: number;
}

/** What Lambda sends to an on-failure destination once every attempt of an async invoke failed. */
export interface OnFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetriesExhausted';
    approximateInvokeCount: number;
  };
  requestPayload: BusEvent;
  responseContext: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload: { errorType: string; errorMessage: string };
}

export interface LocalEventBusOptions {
  /** Multiplies Lambda's retry delays (default: the pipeline's local.timeScale). */
  timeScale?: number;
  /** Called with every on-failure record, e.g. to persist it like the SQS destination would. */
  onFailure?: (record: OnFailureRecord) => void | Promise<void>;
}

export interface LocalEventBus {
  addRule(rule: LocalRule): void;
  /** PutEvents for one event: every matching rule's target runs later (an arrow, so it can be passed on). */
  putEvent: (event: BusEvent) => void;
  /** Resolves once no invocation (or scheduled retry) is pending. */
  idle(): Promise<void>;
  /** Every on-failure record so far, oldest first (plain JSON). */
  failures(): OnFailureRecord[];
}

/** Lambda waits 1 minute before the second attempt and 2 more before the third. */
const RETRY_DELAYS_SECONDS = [60, 120] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Exact-value matching: every pattern field must hold (for an array field, any of its elements). */
export function matchesPattern(pattern: LocalEventPattern, value: unknown): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = isObject(value) ? value[field] : undefined;
    if (!Array.isArray(expected)) return isObject(actual) && matchesPattern(expected as LocalEventPattern, actual);
    const candidates: unknown[] = Array.isArray(actual) ? actual : [actual];
    return candidates.some((candidate) => (expected as readonly unknown[]).includes(candidate));
  });
}

/** Content filters (prefix, anything-but, numeric, …) are not emulated: refuse them rather than mis-match. */
function assertExactPattern(pattern: LocalEventPattern, rule: string): void {
  for (const [field, expected] of Object.entries(pattern)) {
    if (!Array.isArray(expected)) assertExactPattern(expected as LocalEventPattern, rule);
    else if (expected.some((v) => typeof v === 'object' && v !== null)) {
      throw new Error(`rule ${rule}: field ${field} uses a content filter; the local bus matches exact values only`);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorOf = (error: unknown) =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };

export function makeLocalEventBus(options: LocalEventBusOptions = {}): LocalEventBus {
  const timeScale = options.timeScale ?? config.local.timeScale;
  const rules: LocalRule[] = [];
  const pending = new Set<Promise<void>>();
  const records: OnFailureRecord[] = [];

  async function invoke(rule: LocalRule, event: BusEvent): Promise<void> {
    const attempts = 1 + Math.min(Math.max(rule.maximumRetryAttempts ?? 2, 0), 2);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await sleep(attempt === 1 ? 0 : (RETRY_DELAYS_SECONDS[attempt - 2] ?? 0) * 1000 * timeScale);
      try {
        await rule.handler(structuredClone(event));
        return;
      } catch (error) {
        lastError = error;
      }
    }
    const record = failureRecord(rule, event, attempts, lastError);
    records.push(record);
    await options.onFailure?.(structuredClone(record));
  }

  return {
    addRule(rule) {
      assertExactPattern(rule.pattern, rule.name);
      rules.push(rule);
    },
    putEvent: (event) => {
      for (const rule of rules.filter((r) => matchesPattern(r.pattern, event))) {
        const delivery: Promise<void> = invoke(rule, structuredClone(event)).finally(() => pending.delete(delivery));
        pending.add(delivery);
      }
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    failures: () => structuredClone(records),
  };
}

function failureRecord(rule: LocalRule, event: BusEvent, attempts: number, error: unknown): OnFailureRecord {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${config.region}:000000000000:function:${rule.functionName}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: errorOf(error),
  };
}

/** The envelope every AWS service event carries; `time` has second precision, like EventBridge's. */
export function serviceEvent<T extends string, D>(source: string, detailType: T, detail: D): EventBridgeEvent<T, D> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: `${new Date().toISOString().slice(0, 19)}Z`,
    region: config.region,
    resources: [],
    detail,
  };
}

/** Athena's `Athena Query State Change` for a query that reached a final state (sequence 3 after RUNNING). */
export function athenaStateChangeEvent(execution: QueryExecution, previousState: QueryState): AthenaQueryStateChange {
  const { Status: status } = execution;
  const error = status.AthenaError;
  return serviceEvent(ATHENA_SOURCE, ATHENA_QUERY_STATE_CHANGE, {
    ...(error
      ? {
          athenaError: {
            errorCategory: error.ErrorCategory,
            errorMessage: error.ErrorMessage,
            retryable: error.Retryable,
          },
        }
      : {}),
    versionId: '0',
    currentState: status.State,
    previousState,
    statementType: execution.StatementType,
    queryExecutionId: execution.QueryExecutionId,
    workgroupName: execution.WorkGroup,
    sequenceNumber: previousState === 'RUNNING' ? '3' : '2',
  });
}
