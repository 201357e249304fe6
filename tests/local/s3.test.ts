import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../local/pipeline/clock.js';
import { LocalS3 } from '../../local/s3/s3.js';
import { decodeS3EventKey, encodeS3EventKey } from '../../local/s3/s3-event.js';

let dataDir: string;
let s3: LocalS3;
const clock = new ManualClock(Date.UTC(2025, 10, 22, 10, 0, 0, 123));

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-s3-'));
  s3 = new LocalS3({ dataDir, clock });
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const bucket = 'eventlake-local-ingest';

describe('LocalS3 objects', () => {
  it('puts, gets, copies and lists objects as files under <dataDir>/<bucket>/<key>', async () => {
    await s3.putObject({ bucket, key: 'events/type=a/dt=2025-11-22/one.gz' }, 'hello', 'text/plain');
    await s3.putObject({ bucket, key: 'events/type=b/dt=2025-11-22/two.gz' }, new Uint8Array([1, 2, 3]), 'x');
    await s3.copyObject({ bucket, key: 'events/type=a/dt=2025-11-22/one.gz' }, { bucket: 'other', key: 'c/one' }, 'x');

    expect(Buffer.from(await s3.getObject({ bucket, key: 'events/type=a/dt=2025-11-22/one.gz' })).toString()).toBe(
      'hello',
    );
    expect([...(await s3.getObject({ bucket: 'other', key: 'c/one' }))]).toEqual([...Buffer.from('hello')]);
    expect(await s3.listKeys(bucket, 'events/')).toEqual([
      'events/type=a/dt=2025-11-22/one.gz',
      'events/type=b/dt=2025-11-22/two.gz',
    ]);
    expect(await s3.listKeys(bucket, 'events/type=b')).toEqual(['events/type=b/dt=2025-11-22/two.gz']);
    expect(await s3.listKeys(bucket, 'nothing/')).toEqual([]);
    expect(await s3.listKeys('no-such-bucket', '')).toEqual([]);
    expect(await readdir(path.join(dataDir, bucket, 'events', 'type=a', 'dt=2025-11-22'))).toEqual(['one.gz']);
  });

  it('copies under a destination condition with the semantics of a conditional put', async () => {
    const from = { bucket, key: 'athena-results/q.csv' };
    const to = { bucket, key: 'reports/r/dt=2025-11-22/r.csv' };
    await s3.putObject(from, 'new', 'text/csv');
    await s3.copyObject(from, to, 'text/csv', { ifNoneMatch: '*' });
    await expect(s3.copyObject(from, to, 'text/csv', { ifNoneMatch: '*' })).rejects.toMatchObject({
      name: 'PreconditionFailed',
      httpStatusCode: 412,
    });
    const { eTag } = await s3.getObjectWithETag(to);
    await s3.putObject(to, 'changed', 'text/csv');
    await expect(s3.copyObject(from, to, 'text/csv', { ifMatch: eTag })).rejects.toMatchObject({
      name: 'PreconditionFailed',
    });
    expect(Buffer.from(await s3.getObject(to)).toString()).toBe('changed');
    await s3.copyObject(from, to, 'text/csv', { ifMatch: (await s3.getObjectWithETag(to)).eTag });
    expect(Buffer.from(await s3.getObject(to)).toString()).toBe('new');
    const absent = { bucket, key: 'reports/absent.csv' };
    await expect(s3.copyObject(from, absent, 'text/csv', { ifMatch: eTag })).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    const gone = { bucket, key: 'athena-results/gone.csv' };
    await expect(s3.copyObject(gone, to, 'text/csv', { ifMatch: eTag })).rejects.toMatchObject({
      name: 'NoSuchKey',
      message: `The specified key does not exist: s3://${bucket}/athena-results/gone.csv`,
    });
    expect(await s3.listKeys(bucket, 'reports/')).toEqual(['reports/r/dt=2025-11-22/r.csv']);
  });

  it('rejects with a NoSuchKey error for a missing key', async () => {
    await expect(s3.getObject({ bucket, key: 'missing/key' })).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('leaves no temporary file among the visible keys', async () => {
    await s3.putObject({ bucket, key: 'a/b.txt' }, 'x', 'text/plain');
    expect(await s3.listKeys(bucket, '')).toEqual(['a/b.txt']);
    expect((await readdir(path.join(dataDir, '.tmp'))).length).toBe(0);
  });

  it('offers the shared ports', async () => {
    const { putObject, getObject, listKeys } = s3.ports();
    await putObject({ bucket, key: 'p/q' }, 'v', 'text/plain');
    expect(Buffer.from(await getObject({ bucket, key: 'p/q' })).toString()).toBe('v');
    expect(await listKeys(bucket, 'p/')).toEqual(['p/q']);
  });
});

describe('LocalS3 notifications', () => {
  it('sends a real S3 event notification body with the key URL-encoded like S3', async () => {
    const bodies: string[] = [];
    s3.addNotification({ bucket, prefix: 'events/', target: (b) => bodies.push(b), sendTestEvent: false });
    const key = 'events/type=page view/dt=2025-11-22/café ü+x.gz';
    await s3.putObject({ bucket, key }, 'content', 'application/gzip');

    expect(bodies).toHaveLength(1);
    const record = JSON.parse(bodies[0] as string).Records[0];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventTime: '2025-11-22T10:00:00.123Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}`, ownerIdentity: { principalId: expect.any(String) } },
        object: { size: 7, eTag: '9a0364b9e99bb480dd25e1f0284c8555' },
      },
    });
    expect(record.s3.configurationId).toEqual(expect.any(String));
    expect(record.s3.object.key).toBe('events/type%3Dpage+view/dt%3D2025-11-22/caf%C3%A9+%C3%BC%2Bx.gz');
    expect(decodeS3EventKey(record.s3.object.key)).toBe(key);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
  });

  it('filters by prefix and suffix and orders sequencers', async () => {
    const csv: string[] = [];
    const runs: string[] = [];
    s3.addNotification({ bucket: 'rep', suffix: '.csv', target: (b) => csv.push(b), sendTestEvent: false });
    s3.addNotification({ bucket: 'rep', prefix: '_runs/', target: (b) => runs.push(b), sendTestEvent: false });
    await s3.putObject({ bucket: 'rep', key: 'athena-results/r/dt=2025-11-22/q.csv' }, 'a', 'text/csv');
    await s3.putObject({ bucket: 'rep', key: 'athena-results/r/dt=2025-11-22/q.csv.metadata' }, 'a', 'x');
    await s3.putObject({ bucket: 'rep', key: '_runs/j1.json' }, '{}', 'application/json');
    await s3.putObject({ bucket: 'rep', key: '_runs/j2.json' }, '{}', 'application/json');
    await s3.putObject({ bucket: 'other', key: '_runs/j3.json' }, '{}', 'application/json');

    expect(csv).toHaveLength(1);
    expect(runs).toHaveLength(2);
    const sequencers = runs.map((b) => JSON.parse(b).Records[0].s3.object.sequencer as string);
    expect((sequencers[0] as string) < (sequencers[1] as string)).toBe(true);
  });

  it('announces files written directly (DuckDB) with their MD5 eTag, and copies as ObjectCreated:Copy', async () => {
    const bodies: string[] = [];
    s3.addNotification({ bucket: 'lake', target: (b) => bodies.push(b), sendTestEvent: false });
    await mkdir(path.join(dataDir, 'lake', '_runs'), { recursive: true });
    await writeFile(path.join(dataDir, 'lake', '_runs', 'r.json'), 'content');
    await s3.notifyCreated({ bucket: 'lake', key: '_runs/r.json' }, 7);
    await s3.copyObject({ bucket: 'lake', key: '_runs/r.json' }, { bucket: 'lake', key: 'copy.json' }, 'x');

    const [direct, copy] = bodies.map((b) => JSON.parse(b).Records[0]);
    expect(direct.s3.object).toMatchObject({ key: '_runs/r.json', size: 7, eTag: '9a0364b9e99bb480dd25e1f0284c8555' });
    expect(copy.eventName).toBe('ObjectCreated:Copy');
  });

  it('sends the s3:TestEvent when a notification is configured', () => {
    const bodies: string[] = [];
    s3.addNotification({ bucket, target: (b) => bodies.push(b) });
    expect(JSON.parse(bodies[0] as string)).toMatchObject({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Bucket: bucket,
    });
  });

  it('counts a rejecting target without failing the write', async () => {
    s3.addNotification({ bucket, target: () => Promise.reject(new Error('full')), sendTestEvent: false });
    await s3.putObject({ bucket, key: 'k' }, 'v', 'text/plain');
    await new Promise((r) => setImmediate(r));
    expect(s3.stats().notificationFailures).toBe(1);
  });
});

describe('encodeS3EventKey', () => {
  it('encodes like Java URLEncoder but keeps slashes', () => {
    expect(encodeS3EventKey("a b/c=d/e(f)!'~*.-_")).toBe('a+b/c%3Dd/e%28f%29%21%27%7E*.-_');
  });
});
