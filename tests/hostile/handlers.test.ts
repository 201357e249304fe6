// The hostile corpus sent to the handlers directly: the ingest λ with API Gateway events (a fake
// Firehose), the transform λ with one Firehose batch, and the three SQS consumers with hostile
// message bodies mixed into batches with a good message. Nothing throws; every answer is the one
// the contract gives; no log line holds a payload or a key.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEvent, Context, FirehoseTransformationEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAppResolver } from '#shared/ingest/apps.js';
import { cadenceSettings } from '#shared/lake/cadence.js';
import { glueArgs } from '#shared/lake/glue-run.js';
import { parseS3Uri } from '#shared/lake/keys.js';
import type { QueryRequest } from '#shared/ports.js';
import { defaultReportsDir, loadReportCatalogue } from '#shared/reports/catalogue.js';
import { makeIngestHandler } from '../../functions/ingest.js';
import { makePublishReportHandler } from '../../functions/publish-report.js';
import { makeStartParquetJobHandler } from '../../functions/start-parquet-job.js';
import { makeStartReportsHandler } from '../../functions/start-reports.js';
import { makeTransformHandler } from '../../functions/transform.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { LocalS3 } from '../../local/s3/s3.js';
import { loadEvent } from '../helpers/events.js';
import { decode, firehoseEvent } from '../helpers/firehose.js';
import { expectAnswer, lowerCased } from './answers.js';
import { type IngestCase, ingestCorpus, JSON_TYPE, VALID_APP, VALID_KEY } from './corpus.js';
import { transformCorpus } from './corpus-firehose.js';
import { type SqsCase, type Stage, s3Body, sqsCorpus } from './corpus-sqs.js';
import { type CapturedLogs, captureLogs, linesContaining } from './log-capture.js';
import { allMarkers, eventsBody, marker, pageView } from './payloads.js';

const keys: Record<string, string> = { [VALID_KEY]: VALID_APP, 'revoked-key-0123456789': VALID_APP };
const invalidKeys = ['not-a-key', `${VALID_KEY.slice(0, -1)}#`];
const forwarded: Uint8Array[] = [];
const ingest = makeIngestHandler({
  putRecords: async (records) => {
    forwarded.push(...records);
    return records.map((_, i) => ({ ok: true as const, recordId: `record-${i}` }));
  },
  resolveApp: localAppResolver(keys),
});
const transform = makeTransformHandler();
const context = { awsRequestId: 'hostile', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

let logs: CapturedLogs;
let dataDir: string;
let s3: LocalS3;

beforeAll(async () => {
  logs = captureLogs();
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-hostile-handlers-'));
  s3 = new LocalS3({ dataDir });
});

afterAll(async () => {
  logs.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function apiEvent(headers: Record<string, string>, body: Buffer): APIGatewayProxyEvent {
  const event = loadEvent<APIGatewayProxyEvent>('apigw-post-events');
  event.headers = { ...headers };
  event.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  // API Gateway passes every body base64 (binaryMediaTypes */* in serverless.yml).
  event.body = body.length === 0 ? null : body.toString('base64');
  event.isBase64Encoded = true;
  event.requestContext.identity.apiKey = headers['x-api-key'] ?? null;
  return event;
}

const invokeIngest = async (headers: Record<string, string>, body: Buffer) => {
  const result = await ingest(apiEvent(headers, body), context);
  return { status: result.statusCode, headers: lowerCased(result.headers), body: result.body };
};

describe('ingest λ', () => {
  it.each(ingestCorpus().map((c) => [c.name, c] as const))('%s', async (_name, c: IngestCase) => {
    const body = await c.body();
    const answer = c.direct ?? c.answer;
    if (answer.status === 'no answer') throw new Error('every whole-body case is answered');
    forwarded.length = 0;
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const started = Date.now();
    expectAnswer(await invokeIngest(c.headers, body), answer);
    if (c.inflatesTo !== undefined) {
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(c.inflatesTo / 8);
    }
    if (!('downstream' in answer)) return expect(forwarded).toEqual([]);
    // The record the edge forwarded, through the transform: the same outcome as the corpus gives.
    expect(forwarded).toHaveLength(1);
    const [out] = decode(await transform(firehoseEvent(forwarded)));
    if (answer.downstream === 'curated') expect(out?.json).toMatchObject({ event_id: answer.eventId });
    else expect(out?.json).toMatchObject({ failure_type: answer.downstream, event_id: answer.eventId });
  });

  it('answers 403 forbidden for a missing, unknown, almost-right or revoked key', async () => {
    const body = Buffer.from(eventsBody([pageView(marker('key'))]));
    const forbidden = { status: 403, error: 'forbidden' };
    expectAnswer(await invokeIngest(JSON_TYPE, body), forbidden);
    for (const key of invalidKeys)
      expectAnswer(await invokeIngest({ 'x-api-key': key, ...JSON_TYPE }, body), forbidden);
    const revoked = { 'x-api-key': 'revoked-key-0123456789', ...JSON_TYPE };
    expect((await invokeIngest(revoked, body)).status).toBe(200);
    delete keys['revoked-key-0123456789'];
    expectAnswer(await invokeIngest(revoked, body), forbidden);
  });
});

describe('transform λ', () => {
  const cases = transformCorpus();
  it('answers every record of a hostile batch exactly once, Ok, in the zone the corpus gives', async () => {
    const valid = pageView(marker('valid'), { device_id: 'device-1' });
    const event: FirehoseTransformationEvent = firehoseEvent([valid]);
    const records = cases.map((c, i) => ({
      recordId: `hostile-${i}`,
      approximateArrivalTimestamp: Date.now(),
      data: c.data,
    }));
    event.records.push(...records);
    const response = await transform(event);
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual(event.records.map((r) => [r.recordId, 'Ok']));
    const out = decode(response);
    expect(out[0]?.json).toMatchObject({ event_id: valid.event_id });
    const seen = cases.map((c, i) => {
      const { partitionKeys, json } = out[i + 1] ?? {};
      if (partitionKeys?.zone === 'failed') return [c.name, { zone: 'failed', failureType: json.failure_type }];
      const eventId = 'eventId' in c.outcome ? { eventId: json.event_id } : {};
      return [c.name, { zone: partitionKeys?.zone, ...eventId }];
    });
    expect(seen).toEqual(cases.map((c) => [c.name, c.outcome]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the original text of a failed payload, 1e400 included', async () => {
    const c = cases.find((k) => k.name === '1e400 in attributes') as (typeof cases)[number];
    const [out] = decode(
      await transform({
        ...firehoseEvent([]),
        records: [{ recordId: 'r', approximateArrivalTimestamp: 0, data: c.data }],
      }),
    );
    expect(out?.json.payload).toContain('1e400');
  });
});

const goodRunMarker = { job_run_id: 'jr_good', partitions: [{ event_type: 'page_view', dt: '2025-11-22', rows: 1 }] };
const goodResultId = '3c1f4b7a-9d2e-4e8f-a1b0-c2d3e4f5a6b7';
const goodObject: Record<Stage, string> = { parquet: 'good-object', reports: 'jr_good', publish: goodResultId };

function sqsBatch(stage: Stage, cases: readonly SqsCase[]): SQSEvent {
  const template = loadEvent<SQSEvent>('sqs-s3-raw-objects').Records[0] as SQSRecord;
  const message = (messageId: string, body: string): SQSRecord => ({ ...template, messageId, body });
  return {
    Records: [
      message('good', s3Body(stage, goodObject[stage])),
      ...cases.map((c, i) => message(`hostile-${i}`, c.body(stage))),
    ],
  };
}

/** The raw keys a Glue run was given: inline, or in the manifest written for a long list. */
async function runSourceKeys(args: Record<string, string>): Promise<string[]> {
  const manifest = args[glueArgs.sourceManifest];
  if (manifest === undefined) return JSON.parse(args[glueArgs.sourceKeys] ?? '[]') as string[];
  return (JSON.parse(Buffer.from(await s3.getObject(parseS3Uri(manifest))).toString('utf8')) as { keys: string[] })
    .keys;
}

describe('SQS consumers', () => {
  const cases = sqsCorpus();
  const expectedFailures = (stage: Stage) =>
    cases.flatMap((c, i) => (c.outcome[stage] === 'failed' ? [`hostile-${i}`] : [])).sort();
  const failures = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
    response.batchItemFailures.map((f) => f.itemIdentifier).sort();

  it('start-parquet-job fails exactly the messages the contract fails and still starts the run', async () => {
    const runs: Record<string, string>[] = [];
    const handler = makeStartParquetJobHandler({
      startJobRun: async (args) => {
        runs.push({ ...args });
        return `jr_${runs.length}`;
      },
      putObject: s3.putObject,
      getObject: s3.getObject,
      getObjectWithETag: s3.getObjectWithETag,
      lakeBucket: localBucketNames.lake,
      now: () => Date.now(),
      // No delay: the cadence gate starts the run for this batch at once.
      settings: { ...cadenceSettings(), maxDelayMs: 0 },
      staleClaimMs: 60_000,
    });
    const response = await handler(sqsBatch('parquet', cases));
    expect(failures(response)).toEqual(expectedFailures('parquet'));
    expect(runs).toHaveLength(1);
    const keys = await runSourceKeys(runs[0] ?? {});
    expect(keys).toContain('events/type=page_view/dt=2025-11-22/good-object.gz');
    expect(keys.filter((key) => key.includes('\0'))).toHaveLength(1);
    expect(keys.filter((key) => key.includes('..'))).toEqual([]);
  });

  it('start-reports fails exactly the messages the contract fails and still plans the good marker', async () => {
    await s3.putObject(
      { bucket: localBucketNames.lake, key: '_runs/jr_good.json' },
      JSON.stringify(goodRunMarker),
      'application/json',
    );
    const queries: QueryRequest[] = [];
    const handler = makeStartReportsHandler({
      getObject: s3.getObject,
      startQuery: async (request) => `q-${queries.push(request)}`,
      reports: loadReportCatalogue(defaultReportsDir()),
      lakeBucket: localBucketNames.lake,
      resultReuseMaxAgeMinutes: 60,
    });
    const response = await handler(sqsBatch('reports', cases));
    expect(failures(response)).toEqual(expectedFailures('reports'));
    expect(queries.length).toBeGreaterThan(0);
  });

  it('publish-report fails exactly the messages the contract fails and still publishes the good result', async () => {
    const result = {
      bucket: localBucketNames.reporting,
      key: `athena-results/daily_events/dt=2025-11-22/${goodResultId}.csv`,
    };
    await s3.putObject(result, 'day,events\n2025-11-22,1\n', 'text/csv');
    const handler = makePublishReportHandler({
      getObject: s3.getObject,
      getObjectWithETag: s3.getObjectWithETag,
      getQueryExecution: async (id) => {
        throw Object.assign(new Error(`QueryExecution ${id} was not found`), { name: 'InvalidRequestException' });
      },
      putObject: s3.putObject,
      copyObject: s3.copyObject,
      reportingBucket: localBucketNames.reporting,
      now: () => new Date(),
    });
    const response = await handler(sqsBatch('publish', cases));
    expect(failures(response)).toEqual(expectedFailures('publish'));
    const published = await s3.getObject({
      bucket: localBucketNames.reporting,
      key: 'reports/daily_events/dt=2025-11-22/daily_events.csv',
    });
    expect(Buffer.from(published).toString()).toContain('2025-11-22,1');
  });
});

describe('after the corpus', () => {
  it('left no prototype polluted and logged no payload and no API key', () => {
    expect(Object.prototype).not.toHaveProperty('polluted');
    const lines = logs.lines();
    expect(lines.some((line) => line.includes('"message":"transformed batch"'))).toBe(true);
    expect(lines.some((line) => line.includes('"message":"messages failed"'))).toBe(true);
    expect(
      linesContaining(lines, [...allMarkers(), ...Object.keys(keys), 'revoked-key-0123456789', ...invalidKeys]),
    ).toEqual([]);
  });
});
