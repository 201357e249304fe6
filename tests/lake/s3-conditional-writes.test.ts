import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConditionalRequestConflict,
  ConditionalUpdateExhausted,
  PreconditionFailed,
  updateObject,
} from '#shared/aws/conditional-writes.js';
import { makeGetObjectWithETag, makePutObject } from '#shared/aws/s3.js';
import type { ObjectRef, PutCondition } from '#shared/ports.js';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1' });
const ref = { bucket: 'b', key: 'reports/index.json' };

const s3Error = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

beforeEach(() => s3Mock.reset());

describe('conditional PutObject (AWS adapter)', () => {
  it('sends IfNoneMatch: * and IfMatch: <etag> exactly, and no condition field otherwise', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    const put = makePutObject(s3);
    await put(ref, '{}', 'application/json', { ifNoneMatch: '*' });
    await put(ref, '{}', 'application/json', { ifMatch: '"abc"' });
    await put(ref, '{}', 'application/json');
    const inputs = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    const base = { Bucket: 'b', Key: 'reports/index.json', Body: '{}', ContentType: 'application/json' };
    expect(inputs).toEqual([{ ...base, IfNoneMatch: '*' }, { ...base, IfMatch: '"abc"' }, base]);
  });

  it('maps 412 to PreconditionFailed and 409 to ConditionalRequestConflict, other errors unchanged', async () => {
    s3Mock
      .on(PutObjectCommand)
      .rejectsOnce(s3Error('PreconditionFailed', 412))
      .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
      .rejectsOnce(s3Error('AccessDenied', 403));
    const put = makePutObject(s3);
    const condition = { ifMatch: '"e"' };
    await expect(put(ref, 'x', 't', condition)).rejects.toBeInstanceOf(PreconditionFailed);
    await expect(put(ref, 'x', 't', condition)).rejects.toBeInstanceOf(ConditionalRequestConflict);
    await expect(put(ref, 'x', 't', condition)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('reads the ETag with the bytes', async () => {
    const bytes = new TextEncoder().encode('hello');
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => bytes } as never, ETag: '"5d"' });
    await expect(makeGetObjectWithETag(s3)(ref)).resolves.toEqual({ body: bytes, eTag: '"5d"' });
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'b', Key: ref.key });
  });
});

/** An in-memory object with S3's conditional semantics and a hook that lets a rival write first. */
function memoryObject(rival?: (attempt: number) => string | undefined) {
  let stored: { body: string; eTag: string } | undefined;
  let version = 0;
  const calls: (PutCondition | undefined)[] = [];
  return {
    calls,
    body: () => stored?.body,
    getObjectWithETag: async (_: ObjectRef) => {
      if (!stored) throw Object.assign(new Error('missing'), { name: 'NoSuchKey' });
      return { body: new TextEncoder().encode(stored.body), eTag: stored.eTag };
    },
    putObject: async (_: ObjectRef, body: string | Uint8Array, _t: string, condition?: PutCondition) => {
      calls.push(condition);
      const sneaked = rival?.(calls.length);
      if (sneaked !== undefined) stored = { body: sneaked, eTag: `"v${++version}"` };
      if (condition?.ifNoneMatch && stored) throw new PreconditionFailed('exists');
      if (condition?.ifMatch && condition.ifMatch !== stored?.eTag) throw new PreconditionFailed('changed');
      stored = { body: String(body), eTag: `"v${++version}"` };
    },
  };
}

const append = (entry: string) => (current: Uint8Array | undefined) => {
  const list: string[] = current ? JSON.parse(new TextDecoder().decode(current)) : [];
  return { body: JSON.stringify([...list, entry]), result: list.length };
};

describe('updateObject', () => {
  it('creates with If-None-Match, then re-reads and writes with If-Match after losing a race', async () => {
    const object = memoryObject((call) => (call === 1 ? '["rival"]' : undefined));
    const waits: number[] = [];
    const options = {
      contentType: 'application/json',
      random: () => 0.5,
      sleep: async (ms: number) => void waits.push(ms),
    };
    const outcome = await updateObject(ref, append('mine'), object, options);
    expect(outcome).toEqual({ result: 1, written: true, retries: 1 });
    expect(object.calls).toEqual([{ ifNoneMatch: '*' }, { ifMatch: '"v1"' }]);
    expect(object.body()).toBe('["rival","mine"]');
    expect(waits).toEqual([10]);
  });

  it('gives up after the configured attempts with jittered, capped waits, and writes nothing when asked not to', async () => {
    const object = memoryObject(() => '["rival"]');
    const waits: number[] = [];
    const options = { contentType: 'x', attempts: 5, baseDelayMs: 100, maxDelayMs: 300, random: () => 0.99 };
    const sleep = async (ms: number) => void waits.push(ms);
    await expect(updateObject(ref, append('mine'), object, { ...options, sleep })).rejects.toBeInstanceOf(
      ConditionalUpdateExhausted,
    );
    expect(object.calls).toHaveLength(5);
    expect(waits).toEqual([99, 198, 297, 297]);
    const untouched = memoryObject();
    await expect(updateObject(ref, () => ({ result: 'same' }), untouched, options)).resolves.toEqual({
      result: 'same',
      written: false,
      retries: 0,
    });
    expect(untouched.calls).toEqual([]);
  });
});
