// start-parquet-job through the cadence gate, on the local S3 (real conditional writes on files) and
// a recording StartJobRun: pending until a threshold, atomic claims, recovery, never twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { columnsArgument, curatedColumns } from '#shared/contract/table-schemas.js';
import type { GatePorts } from '#shared/lake/gate.js';
import { parseGateState } from '#shared/lake/gate-state.js';
import { gateStateKey } from '#shared/lake/keys.js';
import { makeCadenceTickHandler, makeStartParquetJobHandler } from '../../functions/start-parquet-job.js';
import { LocalS3 } from '../../local/s3/s3.js';
import { loadEvent } from '../helpers/events.js';
import { awsError, buckets, failedIds, s3Message, sqsEvent } from './sqs-fixtures.js';

const MIN = 60_000;
const t0 = Date.UTC(2025, 10, 22, 10, 20, 0);
let dataDir: string;
let s3: LocalS3;
let now: number;
let runs: Record<string, string>[];
let startJobRun: GatePorts['startJobRun'];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-gate-'));
  s3 = new LocalS3({ dataDir });
  now = t0;
  runs = [];
  startJobRun = async (args) => {
    runs.push({ ...args });
    return `jr_${runs.length}`;
  };
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const ports = (overrides: Partial<GatePorts> = {}): GatePorts => ({
  startJobRun: (args) => startJobRun(args),
  putObject: s3.putObject,
  getObject: s3.getObject,
  getObjectWithETag: s3.getObjectWithETag,
  lakeBucket: buckets.lake,
  now: () => now,
  settings: { maxDelayMs: 30 * MIN, minBytes: 100_000, maxRunBytes: 1_000_000, maxRunObjects: 1000 },
  staleClaimMs: 10 * MIN,
  ...overrides,
});
const quiet = () => undefined;
const handlers = (overrides: Partial<GatePorts> = {}) => ({
  batch: makeStartParquetJobHandler(ports(overrides), quiet),
  tick: makeCadenceTickHandler(ports(overrides), quiet),
});
const rawObjects = () => loadEvent<SQSEvent>('sqs-s3-raw-objects');
const state = async () => parseGateState(await s3.getObject({ bucket: buckets.lake, key: gateStateKey() }));
const sourceKeys = (run: Record<string, string> | undefined) => JSON.parse(run?.['--source_keys'] ?? '[]');
const message = (id: string, name: string, size = 1) => {
  const record = s3Message(id, buckets.ingest, [`events/type%3Da/dt%3D2025-11-22/${name}.gz`]);
  return { ...record, body: record.body.replace('"size":1', `"size":${size}`) };
};

describe('start-parquet-job behind the cadence gate', () => {
  it('records the objects as pending, then the tick starts one run once the oldest waited the delay', async () => {
    const { batch, tick } = handlers();
    await expect(batch(rawObjects())).resolves.toEqual({ batchItemFailures: [] });
    expect(runs).toEqual([]);
    expect((await state()).pending.map((o) => o.bytes).sort()).toEqual([20480, 48213, 912]);
    now = t0 + 29 * MIN;
    await tick({ cadence: 'tick' });
    expect(runs).toEqual([]);
    now = t0 + 30 * MIN;
    const outcome = await tick({ cadence: 'tick' });
    expect(outcome.started.map((s) => s.claim.reason)).toEqual(['delay']);
    expect(runs).toEqual([
      {
        '--columns': columnsArgument(curatedColumns),
        '--source_bucket': buckets.ingest,
        '--source_keys': JSON.stringify([
          'events/type=app_open/dt=2025-11-21/replay 2025-11-22+fixé.gz',
          'events/type=page_view/dt=2025-11-21/devices-1-2025-11-22-10-16-00-9e8d7c6b-5a49-4838-b271-605f4e3d2c1b.gz',
          'events/type=page_view/dt=2025-11-22/direct-1-2025-11-22-10-15-00-6f1c2b7e-0c4d-4b8a-9a57-2f3d9e1c0a11.gz',
        ]),
        '--partitions':
          '[{"event_type":"app_open","dt":"2025-11-21"},{"event_type":"page_view","dt":"2025-11-21"},{"event_type":"page_view","dt":"2025-11-22"}]',
        '--destination': `s3://${buckets.lake}/curated/events/`,
        '--run_marker_prefix': `s3://${buckets.lake}/_runs/`,
      },
    ]);
    expect(await state()).toEqual({ version: 1, pending: [], claims: [] });
  });

  it('starts at once when the pending bytes reach the threshold', async () => {
    const { batch } = handlers();
    await batch(sqsEvent([message('m1', 'small', 40_000)]));
    expect(runs).toEqual([]);
    await batch(sqsEvent([message('m2', 'big', 60_000)]));
    expect(runs.map(sourceKeys)).toEqual([
      ['events/type=a/dt=2025-11-22/big.gz', 'events/type=a/dt=2025-11-22/small.gz'],
    ]);
  });

  it('never converts an object twice when it is announced again after its run', async () => {
    const { batch, tick } = handlers({ settings: { ...ports().settings, maxDelayMs: 0 } });
    await batch(sqsEvent([message('m1', 'x')]));
    await batch(sqsEvent([message('m1-again', 'x'), message('m2', 'y')]));
    expect(runs.map(sourceKeys)).toEqual([['events/type=a/dt=2025-11-22/x.gz'], ['events/type=a/dt=2025-11-22/y.gz']]);
    await batch(sqsEvent([message('m1-third', 'x')]));
    const outcome = await tick({ cadence: 'tick' });
    expect(runs).toHaveLength(2);
    expect(outcome.pendingObjects).toBe(0);
  });

  it('keeps a claim whose run did not start and starts it again, same arguments, once it is stale', async () => {
    const { batch, tick } = handlers({ settings: { ...ports().settings, maxDelayMs: 0 } });
    startJobRun = async () => {
      throw awsError('ThrottlingException');
    };
    await expect(batch(sqsEvent([message('m1', 'x')]))).resolves.toEqual({ batchItemFailures: [] });
    const [claim] = (await state()).claims;
    expect(claim?.objects.map((o) => o.key)).toEqual(['events/type=a/dt=2025-11-22/x.gz']);
    startJobRun = async (args) => {
      runs.push({ ...args });
      return 'jr_recovered';
    };
    now = t0 + 9 * MIN;
    await tick({ cadence: 'tick' });
    expect(runs).toEqual([]);
    now = t0 + 10 * MIN;
    const outcome = await tick({ cadence: 'tick' });
    expect(outcome.started).toMatchObject([{ jobRunId: 'jr_recovered', claim: { id: claim?.id, reason: 'recovery' } }]);
    expect(runs.map(sourceKeys)).toEqual([['events/type=a/dt=2025-11-22/x.gz']]);
    expect((await state()).claims).toEqual([]);
  });

  it('gives every object to exactly one run when invocations race', async () => {
    const settings = { ...ports().settings, maxDelayMs: 0 };
    const names = Array.from({ length: 12 }, (_, i) => `o${i}`);
    await Promise.all(
      names.map((name, i) =>
        makeStartParquetJobHandler(ports({ settings }), quiet)(sqsEvent([message(`m${i}`, name)])),
      ),
    );
    await handlers({ settings }).tick({ cadence: 'tick' });
    const converted = runs.flatMap(sourceKeys).sort();
    expect(converted).toEqual(names.map((n) => `events/type=a/dt=2025-11-22/${n}.gz`).sort());
  });

  it('flush starts whatever is pending whatever the thresholds', async () => {
    const { batch, tick } = handlers();
    await batch(sqsEvent([message('m1', 'x')]));
    const outcome = await tick({ cadence: 'flush' });
    expect(outcome.started.map((s) => s.claim.reason)).toEqual(['flush']);
    expect(runs).toHaveLength(1);
  });

  it('acknowledges the S3 test event and fails a malformed message alone', async () => {
    const { batch } = handlers();
    await expect(batch(loadEvent<SQSEvent>('sqs-s3-test-event'))).resolves.toEqual({ batchItemFailures: [] });
    const event = sqsEvent([{ ...message('bad', 'x'), body: 'not json' }, message('good', 'y')]);
    expect(failedIds(await batch(event))).toEqual(['bad']);
    expect((await state()).pending.map((o) => o.key)).toEqual(['events/type=a/dt=2025-11-22/y.gz']);
  });

  it('fails every carrier when the objects cannot be recorded', async () => {
    const { batch } = handlers({
      putObject: async () => {
        throw awsError('SlowDown');
      },
    });
    expect(failedIds(await batch(rawObjects()))).toHaveLength(4);
  });
});
