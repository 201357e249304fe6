// S3 adapters for the object ports. Errors pass through with the SDK's names (NoSuchKey, …).
import {
  CopyObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import type {
  CopyObject,
  GetObject,
  GetObjectWithETag,
  ListKeys,
  ObjectRef,
  PutCondition,
  PutObject,
} from '../ports.js';
import { asConditionalWriteError } from './conditional-writes.js';

/** A write condition as S3's request fields: `IfNoneMatch: '*'` or `IfMatch: <etag>`. */
const conditionFields = (condition: PutCondition | undefined) => ({
  ...(condition?.ifNoneMatch ? { IfNoneMatch: condition.ifNoneMatch } : {}),
  ...(condition?.ifMatch ? { IfMatch: condition.ifMatch } : {}),
});

/** Sends a write; a conditional one fails with the named errors of conditional-writes.ts. */
async function sendWrite(send: () => Promise<unknown>, ref: ObjectRef, condition?: PutCondition) {
  try {
    await send();
  } catch (error) {
    throw condition ? asConditionalWriteError(error, ref) : error;
  }
}

/** PutObject; a condition becomes S3's `IfNoneMatch: '*'` or `IfMatch: <etag>`, its failures named errors. */
export const makePutObject =
  (s3: S3Client): PutObject =>
  async (ref, body, contentType, condition) => {
    const command = new PutObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      Body: body,
      ContentType: contentType,
      ...conditionFields(condition),
    });
    await sendWrite(() => s3.send(command), ref, condition);
  };

export const makeGetObject =
  (s3: S3Client): GetObject =>
  async (ref) => {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    return Body ? Body.transformToByteArray() : new Uint8Array();
  };

export class MissingETag extends Error {
  override readonly name = 'MissingETag';
}

export const makeGetObjectWithETag =
  (s3: S3Client): GetObjectWithETag =>
  async (ref) => {
    const { Body, ETag } = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    if (!ETag) throw new MissingETag(`GetObject s3://${ref.bucket}/${ref.key} returned no ETag`);
    return { body: Body ? await Body.transformToByteArray() : new Uint8Array(), eTag: ETag };
  };

/** CopySource is `bucket/key` with the key URL-encoded per segment (S3 requires it encoded). */
export const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** CopyObject; a condition applies to the destination (S3's `IfNoneMatch`/`IfMatch`), its failures named errors. */
export const makeCopyObject =
  (s3: S3Client): CopyObject =>
  async (from, to, contentType, condition) => {
    const command = new CopyObjectCommand({
      Bucket: to.bucket,
      Key: to.key,
      CopySource: copySource(from.bucket, from.key),
      // REPLACE, or S3 keeps the source's metadata and ignores ContentType.
      MetadataDirective: 'REPLACE',
      ContentType: contentType,
      ...conditionFields(condition),
    });
    await sendWrite(() => s3.send(command), to, condition);
  };

export const makeListKeys =
  (s3: S3Client): ListKeys =>
  async (bucket, prefix) => {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    }
    return keys;
  };
