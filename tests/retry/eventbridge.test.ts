// The local EventBridge bus: exact-value pattern matching, Lambda's async invoke (later, a copy of
// the event, two retries with scaled delays) and the on-failure record once every attempt failed.
import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { athenaRetryPattern, glueRetryPattern } from '#shared/retries/routing.js';
import {
  type BusEvent,
  makeLocalEventBus,
  matchesPattern,
  type OnFailureRecord,
} from '../../local/eventbridge/eventbridge.js';
import { loadEvent } from '../helpers/events.js';

const glueFailed = () => loadEvent<EventBridgeEvent<string, Record<string, unknown>>>('eventbridge-glue-job-failed');
const athenaFailed = () =>
  loadEvent<EventBridgeEvent<string, Record<string, unknown>>>('eventbridge-athena-query-failed');
const jobPattern = glueRetryPattern('eventlake-dev-parquet');

describe('matchesPattern', () => {
  it('matches the retry rules against real events: every field, arrays as any of', () => {
    expect(matchesPattern(jobPattern, glueFailed())).toBe(true);
    expect(matchesPattern(athenaRetryPattern('eventlake-dev-reports'), athenaFailed())).toBe(true);
    const timeout = glueFailed();
    timeout.detail.state = 'TIMEOUT';
    expect(matchesPattern(jobPattern, timeout)).toBe(true);
  });

  it('does not match another value, a missing field, or another source', () => {
    const succeeded = glueFailed();
    succeeded.detail.state = 'SUCCEEDED';
    const noJob = glueFailed();
    delete noJob.detail.jobName;
    expect([succeeded, noJob, athenaFailed()].map((e) => matchesPattern(jobPattern, e))).toEqual([false, false, false]);
    expect(matchesPattern({ resources: ['arn:a'] }, { resources: ['arn:b', 'arn:a'] })).toBe(true);
  });
});

describe('makeLocalEventBus', () => {
  const timeScale = 0.0001;

  it('invokes matching targets asynchronously with their own copy, once when they succeed', async () => {
    const bus = makeLocalEventBus({ timeScale });
    const seen: BusEvent[] = [];
    const handler = async (event: BusEvent) => {
      seen.push(event);
      (event.detail as Record<string, unknown>).state = 'CHANGED';
    };
    bus.addRule({ name: 'glue', pattern: jobPattern, functionName: 'retry', handler });
    bus.addRule({ name: 'athena', pattern: athenaRetryPattern('eventlake-dev-reports'), functionName: 'x', handler });
    const event = glueFailed();
    bus.putEvent(event);
    expect(seen).toEqual([]);
    await bus.idle();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({ ...glueFailed(), detail: { ...glueFailed().detail, state: 'CHANGED' } });
    expect(event).toEqual(glueFailed());
    expect(bus.failures()).toEqual([]);
  });

  it('retries a failing target twice, then keeps Lambda’s on-failure record and hands it over', async () => {
    const handedOver: OnFailureRecord[] = [];
    const bus = makeLocalEventBus({ timeScale, onFailure: (record) => void handedOver.push(record) });
    const times: number[] = [];
    bus.addRule({
      name: 'glue',
      pattern: jobPattern,
      functionName: 'eventlake-local-retry-failed-run',
      handler: async () => {
        times.push(Date.now());
        throw Object.assign(new Error('Concurrent runs exceeded'), { name: 'RetryLater' });
      },
    });
    bus.putEvent(glueFailed());
    await bus.idle();
    expect(times).toHaveLength(3);
    // 60 s and 120 s, scaled: 6 ms and 12 ms.
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(5);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(11);
    const [record] = bus.failures();
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: glueFailed(),
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'RetryLater', errorMessage: 'Concurrent runs exceeded' },
    });
    expect(record?.requestContext.functionArn).toMatch(/:function:eventlake-local-retry-failed-run:\$LATEST$/);
    expect(handedOver).toEqual(bus.failures());
    expect(JSON.parse(JSON.stringify(bus.failures()))).toEqual(bus.failures());
  });

  it('stops retrying once an attempt succeeds, and honours a lower maximumRetryAttempts', async () => {
    const bus = makeLocalEventBus({ timeScale });
    let calls = 0;
    bus.addRule({
      name: 'flaky',
      pattern: jobPattern,
      functionName: 'flaky',
      handler: async () => {
        calls += 1;
        if (calls === 1) throw new Error('once');
      },
    });
    let strictCalls = 0;
    bus.addRule({
      name: 'strict',
      pattern: jobPattern,
      functionName: 'strict',
      maximumRetryAttempts: 0,
      handler: async () => {
        strictCalls += 1;
        throw new Error('always');
      },
    });
    bus.putEvent(glueFailed());
    await bus.idle();
    expect([calls, strictCalls]).toEqual([2, 1]);
    expect(bus.failures().map((r) => r.requestContext.approximateInvokeCount)).toEqual([1]);
  });

  it('refuses content filters it does not emulate', () => {
    const bus = makeLocalEventBus();
    const pattern = { detail: { jobName: [{ prefix: 'eventlake-' }] } } as never;
    expect(() => bus.addRule({ name: 'p', pattern, functionName: 'f', handler: async () => {} })).toThrow(
      /content filter/,
    );
  });
});
