// A local EventBridge bus: rules with exact-value patterns, each targeting a Lambda handler invoked
// the way Lambda invokes asynchronously — later, with its own copy of the event, retried twice (after
// 1 and 2 minutes, scaled) on error, then recorded as Lambda's on-failure destination record. On a data
// directory every delivery (attempt, due time) and record is kept on disk (bus-state.ts) and a
// delivery left by an earlier process resumes once its rule is added again.
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { config } from '#shared/config.js';
import { ATHENA_QUERY_STATE_CHANGE, ATHENA_SOURCE, type AthenaQueryStateChange } from '#shared/retries/run-retry.js';
import type { QueryExecution, QueryState } from '../athena/execution.js';
import { type BusEvent, BusStore, type OnFailureRecord, type PersistedDelivery } from './bus-state.js';

export type { BusEvent, OnFailureRecord } from './bus-state.js';

/** Field → accepted values ("any of"), or a nested pattern for an object field. */
export interface LocalEventPattern {
  [field: string]: readonly (string | number | boolean)[] | LocalEventPattern;
}

export interface LocalRule {
  /** Stable across restarts: a delivery kept on disk is resumed once its rule is added again. */
  name: string;
  pattern: LocalEventPattern;
  /** The target function's name, as it appears in on-failure records. */
  functionName: string;
  handler: (event: BusEvent) => Promise<unknown>;
  /** Lambda's MaximumRetryAttempts for async invokes: 0–2, default 2. */
  maximumRetryAttempts?: number;
}

export interface LocalEventBusOptions {
  /** Multiplies Lambda's retry delays (default: the pipeline's local.timeScale). */
  timeScale?: number;
  /** Called with every on-failure record, e.g. to persist it like the SQS destination would. */
  onFailure?: (record: OnFailureRecord) => void | Promise<void>;
  /**
   * Keeps pending deliveries, on-failure records and retry chains in <dataDir>/_eventbridge/state.json
   * and resumes the deliveries at the next start; absent, everything lives in memory.
   */
  dataDir?: string;
}

export interface LocalEventBus {
  addRule(rule: LocalRule): void;
  /** PutEvents for one event: every matching rule's target runs later (an arrow, so it can be passed on). */
  putEvent: (event: BusEvent) => void;
  /** Called (synchronously) with every event put, before its deliveries are recorded; true when it changed the state. */
  onEvent(listener: (event: BusEvent) => boolean): void;
  /** Resolves once no invocation (or scheduled retry) is pending. */
  idle(): Promise<void>;
  /** Every on-failure record so far (earlier processes' included when durable), oldest first (plain JSON). */
  failures(): OnFailureRecord[];
  /** Deliveries not done yet (plain JSON). */
  pendingDeliveries(): PersistedDelivery[];
  /** The bus's state and its writer, shared with the retry chains (local/eventbridge/chains.ts). */
  store: BusStore;
  /** Schedules nothing more and waits for invocations under way; what is pending stays on disk. */
  stop(): Promise<void>;
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

const errorOf = (error: unknown) =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message }
    : { errorType: 'Error', errorMessage: String(error) };

const attemptsOf = (rule: LocalRule): number => 1 + Math.min(Math.max(rule.maximumRetryAttempts ?? 2, 0), 2);

export function makeLocalEventBus(options: LocalEventBusOptions = {}): LocalEventBus {
  const timeScale = options.timeScale ?? config.local.timeScale;
  const store = new BusStore(options.dataDir);
  const { state } = store;
  const rules = new Map<string, LocalRule>();
  const listeners: ((event: BusEvent) => boolean)[] = [];
  /** A promise per scheduled or running attempt, for idle(); timers of the scheduled ones, for stop(). */
  const pending = new Set<Promise<void>>();
  const timers = new Map<string, { timer: NodeJS.Timeout; cancel: () => void }>();
  let stopped = false;

  const remove = (delivery: PersistedDelivery) => {
    state.deliveries = state.deliveries.filter((d) => d.id !== delivery.id);
  };

  async function attempt(rule: LocalRule, delivery: PersistedDelivery): Promise<void> {
    try {
      await rule.handler(structuredClone(delivery.event));
      remove(delivery);
      store.save();
    } catch (error) {
      if (delivery.attempt < attemptsOf(rule)) {
        const delaySeconds = RETRY_DELAYS_SECONDS[delivery.attempt - 1] ?? 0;
        delivery.attempt += 1;
        delivery.dueAt = Date.now() + delaySeconds * 1000 * timeScale;
        store.save();
        schedule(delivery);
        return;
      }
      const record = failureRecord(rule, delivery.event, delivery.attempt, error);
      remove(delivery);
      state.failures.push(record);
      store.save();
      await options.onFailure?.(structuredClone(record));
    }
  }

  function schedule(delivery: PersistedDelivery): void {
    const rule = rules.get(delivery.rule);
    if (rule === undefined || stopped) return;
    const run = new Promise<void>((resolve) => {
      const wait = Math.max(0, delivery.dueAt - Date.now());
      const timer = setTimeout(() => {
        timers.delete(delivery.id);
        attempt(rule, delivery).then(resolve, resolve);
      }, wait);
      timers.set(delivery.id, { timer, cancel: resolve });
    });
    const tracked: Promise<void> = run.finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  return {
    addRule(rule) {
      assertExactPattern(rule.pattern, rule.name);
      rules.set(rule.name, rule);
      for (const delivery of state.deliveries.filter((d) => d.rule === rule.name)) schedule(delivery);
    },
    putEvent: (event) => {
      let changed = false;
      for (const listener of listeners) changed = listener(event) || changed;
      for (const rule of [...rules.values()].filter((r) => matchesPattern(r.pattern, event))) {
        const delivery = {
          id: randomUUID(),
          rule: rule.name,
          event: structuredClone(event),
          attempt: 1,
          dueAt: Date.now(),
        };
        state.deliveries.push(delivery);
        changed = true;
        schedule(delivery);
      }
      if (changed) store.save();
    },
    onEvent: (listener) => void listeners.push(listener),
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    failures: () => structuredClone(state.failures),
    pendingDeliveries: () => structuredClone(state.deliveries),
    store,
    async stop() {
      stopped = true;
      for (const { timer, cancel } of timers.values()) {
        clearTimeout(timer);
        cancel();
      }
      timers.clear();
      while (pending.size > 0) await Promise.all([...pending]);
    },
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
