import type { FirehoseTransformationEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTransformHandler } from '../../functions/transform.js';
import { loadEvent } from '../helpers/events.js';
import { BUCKET, type Harness, harness, OBJECT_NAME, readGzipObject } from './firehose-helpers.js';

let h: Harness;
afterEach(() => h.cleanup());

const fixture = loadEvent<FirehoseTransformationEvent>('firehose-direct');
const fixtureRecords = fixture.records.map((r) => Buffer.from(r.data, 'base64'));

describe('LocalDeliveryStream with the transform λ', () => {
  it('invokes the transform with a real Firehose event and writes its lines under the partition prefixes', async () => {
    h = await harness(makeTransformHandler(() => {}));
    const results = await h.stream.putRecordBatch(fixtureRecords);
    expect(results.every((r) => r.ok)).toBe(true);
    await h.stream.flush();

    const event = h.events[0] as FirehoseTransformationEvent;
    expect(h.events).toHaveLength(1);
    expect(event).toMatchObject({
      invocationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      deliveryStreamArn: 'arn:aws:firehose:eu-west-1:000000000000:deliverystream/direct',
      region: 'eu-west-1',
    });
    expect(event.sourceKinesisStreamArn).toBeUndefined();
    expect(event.records.map((r) => r.data)).toEqual(fixture.records.map((r) => r.data));
    expect(event.records.map((r) => r.approximateArrivalTimestamp)).toEqual(fixture.records.map(() => h.clock.now()));
    expect(new Set(event.records.map((r) => r.recordId)).size).toBe(fixture.records.length);
    expect(results.map((r) => (r.ok ? r.recordId : ''))).toEqual(event.records.map((r) => r.recordId));

    const expected = new Map<string, string>();
    for (const record of h.responses[0]?.records ?? []) {
      const keys = record.metadata?.partitionKeys ?? {};
      const prefix = `${keys.zone}/type=${keys.event_type}/dt=${keys.dt}/`;
      expected.set(prefix, (expected.get(prefix) ?? '') + Buffer.from(record.data ?? '', 'base64').toString('utf8'));
    }
    const keys = await h.s3.listKeys(BUCKET, '');
    expect(keys).toHaveLength(expected.size);
    expect([...expected.keys()].some((p) => p.startsWith('events/type=purchase/dt='))).toBe(true);
    expect([...expected.keys()].some((p) => p.startsWith('failed/type='))).toBe(true);
    for (const key of keys) {
      const prefix = key.slice(0, key.lastIndexOf('/') + 1);
      expect(key.slice(prefix.length)).toMatch(/^direct-1-2025-11-22-10-00-00-[0-9a-f-]{36}\.gz$/);
      expect(await readGzipObject(h.s3, key)).toBe(expected.get(prefix));
    }
    expect(h.stream.stats()).toMatchObject({ recordsIn: 6, deliveredRecords: 6, invocations: 1, processingFailed: 0 });
  });

  it('announces each delivered object through S3 notifications', async () => {
    h = await harness(makeTransformHandler(() => {}));
    const notified: string[] = [];
    h.s3.addNotification({ bucket: BUCKET, prefix: 'events/', target: (b) => notified.push(b), sendTestEvent: false });
    await h.stream.putRecordBatch(fixtureRecords);
    await h.stream.flush();
    const eventKeys = await h.s3.listKeys(BUCKET, 'events/');
    expect(notified).toHaveLength(eventKeys.length);
    expect(JSON.parse(notified[0] as string).Records[0].s3.object.key).toMatch(/^events\/type%3D/);
  });
});

describe('LocalDeliveryStream invocation failures', () => {
  const readErrors = async () => {
    const keys = await h.s3.listKeys(BUCKET, 'processing-failed/');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^processing-failed\/dt=2025-11-22\//);
    expect(keys[0]).toMatch(OBJECT_NAME);
    const text = await readGzipObject(h.s3, keys[0] as string);
    return text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
  };

  it('retries a throwing transform, then writes every record as processing-failed with its raw data', async () => {
    let calls = 0;
    h = await harness(async () => {
      calls += 1;
      throw new Error('boom');
    });
    await h.stream.putRecordBatch(fixtureRecords);
    await h.stream.flush();

    expect(calls).toBe(4);
    const records = await readErrors();
    expect(records.map((r) => r.rawData)).toEqual(fixture.records.map((r) => r.data));
    expect(Object.keys(records[0]).sort()).toEqual(
      [
        'attemptEndingTimestamp',
        'attemptsMade',
        'arrivalTimestamp',
        'errorCode',
        'errorMessage',
        'lambdaArn',
        'rawData',
      ].sort(),
    );
    expect(records[0]).toMatchObject({
      attemptsMade: 4,
      arrivalTimestamp: h.clock.now(),
      errorCode: 'Lambda.FunctionError',
      lambdaArn: 'arn:aws:lambda:eu-west-1:000000000000:function:eventlake-local-transform:$LATEST',
    });
    expect(h.stream.stats()).toMatchObject({ invocationFailures: 1, processingFailed: 6, deliveredRecords: 0 });
  });

  it('treats a response missing a recordId as a failed invocation', async () => {
    const transform = makeTransformHandler(() => {});
    let calls = 0;
    h = await harness(async (event) => {
      calls += 1;
      const response = await transform(event);
      return { records: response.records.slice(1) };
    });
    await h.stream.putRecordBatch(fixtureRecords);
    await h.stream.flush();
    expect(calls).toBe(4);
    const records = await readErrors();
    expect(records).toHaveLength(6);
    expect(records[0].errorCode).toBe('Lambda.MissingRecordId');
    expect(await h.s3.listKeys(BUCKET, 'events/')).toEqual([]);
  });

  it.each([
    [
      'a duplicated recordId',
      (ids: string[]) => [...ids, ids[0]].map((id) => ({ recordId: id, result: 'Ok', data: '' })),
    ],
    ['an unknown result', (ids: string[]) => ids.map((id) => ({ recordId: id, result: 'Maybe', data: '' }))],
    ['data that is not base64', (ids: string[]) => ids.map((id) => ({ recordId: id, result: 'Ok', data: '%%%' }))],
  ])('fails the invocation on %s', async (_, answer) => {
    h = await harness(async (event) => ({ records: answer(event.records.map((r) => r.recordId)) as never }));
    await h.stream.putRecordBatch(fixtureRecords.slice(0, 2));
    await h.stream.flush();
    expect((await readErrors()).map((r) => r.attemptsMade)).toEqual([4, 4]);
  });

  it('fails an invocation that runs past the function timeout', async () => {
    h = await harness(() => new Promise(() => {}), { transformTimeoutMs: 5 });
    await h.stream.putRecordBatch(fixtureRecords.slice(0, 1));
    await h.stream.flush();
    expect((await readErrors())[0]).toMatchObject({ errorCode: 'Lambda.FunctionTimedOut', attemptsMade: 4 });
  });

  it('writes ProcessingFailed records to the error prefix and drops Dropped ones', async () => {
    h = await harness(async (event) => ({
      records: event.records.map((r, i) => ({
        recordId: r.recordId,
        result: i === 0 ? 'ProcessingFailed' : 'Dropped',
      })),
    }));
    await h.stream.putRecordBatch(fixtureRecords.slice(0, 3));
    await h.stream.flush();
    const records = await readErrors();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      attemptsMade: 1,
      errorCode: 'Lambda.ProcessingFailedStatus',
      rawData: fixture.records[0]?.data,
    });
    expect(h.stream.stats()).toMatchObject({ dropped: 2, processingFailed: 1 });
  });
});
