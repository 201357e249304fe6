// Local S3: buckets are folders under the data directory; writes are atomic (temp file, then rename),
// conditional writes atomic across processes (conditional.ts), and every created object is announced
// to the matching notification targets with a real S3 event.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { config } from '#shared/config.js';
import type {
  CopyObject,
  GetObject,
  GetObjectWithETag,
  ListKeys,
  ObjectRef,
  PutCondition,
  PutObject,
} from '#shared/ports.js';
import { type Clock, systemClock } from '../pipeline/clock.js';
import { objectPath } from './buckets.js';
import { createExclusive, replaceIfMatch } from './conditional.js';
import { type ObjectCreatedEvent, Sequencer, s3EventBody, s3TestEventBody } from './s3-event.js';

export interface NotificationTarget {
  bucket: string;
  prefix?: string;
  suffix?: string;
  /** Receives the S3 event notification body (JSON), e.g. a LocalQueue's sendMessage. */
  target: (s3EventJson: string) => unknown;
  configurationId?: string;
  /** S3 sends an `s3:TestEvent` message when a configuration is added (default true). */
  sendTestEvent?: boolean;
}

export interface LocalS3Options {
  dataDir: string;
  region?: string;
  clock?: Clock;
  /** Called when a target rejects (e.g. a full queue); S3 delivery is best effort. */
  onNotificationError?: (error: unknown) => void;
}

export interface NotifyOptions {
  eTag?: string;
  eventName?: ObjectCreatedEvent;
}

export interface S3Ports {
  putObject: PutObject;
  getObject: GetObject;
  getObjectWithETag: GetObjectWithETag;
  copyObject: CopyObject;
  listKeys: ListKeys;
}

export class NoSuchKey extends Error {
  override name = 'NoSuchKey';
  constructor(ref: ObjectRef) {
    super(`The specified key does not exist: s3://${ref.bucket}/${ref.key}`);
  }
}

const md5 = (body: Uint8Array | string): string => createHash('md5').update(body).digest('hex');

export class LocalS3 {
  readonly dataDir: string;
  readonly #region: string;
  readonly #clock: Clock;
  readonly #onError: (error: unknown) => void;
  readonly #targets: NotificationTarget[] = [];
  readonly #sequencer = new Sequencer();
  #notificationFailures = 0;

  constructor(options: LocalS3Options) {
    this.dataDir = path.resolve(options.dataDir);
    this.#region = options.region ?? config.region;
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onNotificationError ?? (() => {});
  }

  readonly putObject: PutObject = async (ref, body, _contentType, condition) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    await this.#write(ref, bytes, condition);
    await this.notifyCreated(ref, bytes.byteLength, { eTag: md5(bytes) });
  };

  /** The ETag is the content MD5 in quotes, as S3 returns it for a single-part upload. */
  readonly getObjectWithETag: GetObjectWithETag = async (ref) => {
    const body = await this.getObject(ref);
    return { body, eTag: `"${md5(body)}"` };
  };

  readonly getObject: GetObject = async (ref) => {
    try {
      return await readFile(objectPath(this.dataDir, ref));
    } catch (error) {
      if (isMissing(error)) throw new NoSuchKey(ref);
      throw error;
    }
  };

  /** A condition applies to the destination, with the semantics of a conditional put. */
  readonly copyObject: CopyObject = async (from, to, _contentType, condition) => {
    const bytes = await this.getObject(from);
    await this.#write(to, bytes, condition);
    await this.notifyCreated(to, bytes.byteLength, { eTag: md5(bytes), eventName: 'ObjectCreated:Copy' });
  };

  readonly listKeys: ListKeys = async (bucket, prefix) => {
    const bucketDir = path.join(this.dataDir, bucket);
    // Walk only the deepest folder the prefix fully names.
    const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    const keys = await walk(path.join(bucketDir, ...start.split('/').filter(Boolean)), start);
    return keys.filter((key) => key.startsWith(prefix)).sort(compareUtf8);
  };

  ports(): S3Ports {
    return {
      putObject: this.putObject,
      getObject: this.getObject,
      getObjectWithETag: this.getObjectWithETag,
      copyObject: this.copyObject,
      listKeys: this.listKeys,
    };
  }

  addNotification(target: NotificationTarget): void {
    const configurationId = target.configurationId ?? `local-${target.bucket}-${this.#targets.length + 1}`;
    this.#targets.push({ ...target, configurationId });
    if (target.sendTestEvent ?? true) this.#deliver(target, s3TestEventBody(target.bucket, this.#clock.now()));
  }

  /**
   * Announces an object that is already in its bucket folder (written by put/copy, or directly by
   * DuckDB in the local Glue job and Athena). The eTag is the content MD5, read from disk when not given.
   */
  async notifyCreated(ref: ObjectRef, size: number, options: NotifyOptions = {}): Promise<void> {
    const matching = this.#targets.filter((t) => matches(t, ref));
    if (matching.length === 0) return;
    const eTag = options.eTag ?? (await md5File(objectPath(this.dataDir, ref)));
    const now = this.#clock.now();
    const created = { ...ref, size, eTag, eventName: options.eventName ?? 'ObjectCreated:Put' } as const;
    for (const target of matching) {
      const sequencer = this.#sequencer.next(now);
      const context = { region: this.#region, configurationId: target.configurationId ?? '', eventTime: now };
      this.#deliver(target, s3EventBody({ ...created, sequencer }, context));
    }
  }

  stats(): { notificationTargets: number; notificationFailures: number } {
    return { notificationTargets: this.#targets.length, notificationFailures: this.#notificationFailures };
  }

  #deliver(target: NotificationTarget, body: string): void {
    const fail = (error: unknown): void => {
      this.#notificationFailures += 1;
      this.#onError(error);
    };
    try {
      const result = target.target(body);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  async #write(ref: ObjectRef, bytes: Uint8Array, condition: PutCondition | undefined): Promise<void> {
    if (condition?.ifNoneMatch === '*') {
      await createExclusive(this.dataDir, ref, bytes);
    } else if (condition?.ifMatch !== undefined) {
      await replaceIfMatch(this.dataDir, ref, bytes, condition.ifMatch, () => new NoSuchKey(ref));
    } else {
      await this.#writeAtomic(ref, bytes);
    }
  }

  async #writeAtomic(ref: ObjectRef, bytes: Uint8Array): Promise<void> {
    const file = objectPath(this.dataDir, ref);
    // Temp files live outside every bucket folder (bucket names cannot start with '.').
    const tmpDir = path.join(this.dataDir, '.tmp');
    const tmp = path.join(tmpDir, randomUUID());
    await Promise.all([mkdir(path.dirname(file), { recursive: true }), mkdir(tmpDir, { recursive: true })]);
    try {
      // On stable storage before it is renamed into place: the Firehose journal lets its records go
      // once this resolves.
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(bytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }
}

const matches = (t: NotificationTarget, ref: ObjectRef): boolean =>
  t.bucket === ref.bucket && ref.key.startsWith(t.prefix ?? '') && ref.key.endsWith(t.suffix ?? '');

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function walk(dir: string, keyPrefix: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name), `${keyPrefix}${e.name}/`) : [`${keyPrefix}${e.name}`],
    ),
  );
  return nested.flat();
}

/** S3 lists keys in UTF-8 binary order. */
const compareUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function md5File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
