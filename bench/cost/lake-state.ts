// What the simulated day keeps: objects by key, the curated partitions and their files, an
// in-memory S3 for the handlers' ports, and counters per simulated day.
import { PreconditionFailed } from '#shared/aws/conditional-writes.js';
import type { ObjectRef, PutCondition, StoredObject } from '#shared/ports.js';
import { s3EventBody } from '../../local/s3/s3-event.js';
import { DAY_S, type RawObject } from './firehose-day.js';

const EPOCH = Date.UTC(2026, 0, 1);

export const dtOf = (day: number): string => new Date(EPOCH + day * DAY_S * 1000).toISOString().slice(0, 10);
export const dayOfDt = (dt: string): number => Math.round((Date.parse(`${dt}T00:00:00Z`) - EPOCH) / (DAY_S * 1000));
export const epochMs = (seconds: number): number => EPOCH + seconds * 1000;

export interface CuratedPartition {
  rows: number;
  /** Sizes of its Parquet files. */
  files: number[];
}

export class LakeState {
  readonly objects = new Map<string, RawObject & { gzipBytes: number }>();
  readonly curated = new Map<string, CuratedPartition>();
  readonly failedGzipByDay = new Map<number, number>();
  readonly store = new Map<string, Uint8Array>();
  /** ETag per stored key, for the conditional writes of the gate state and the report index. */
  readonly etags = new Map<string, string>();
  #etag = 0;
  readonly counters = new Map<number, Map<string, number>>();
  #sequencer = 0;

  constructor(readonly now: () => number) {}

  count(name: string, n = 1): void {
    const day = Math.floor(this.now() / DAY_S);
    const counters = this.counters.get(day) ?? new Map<string, number>();
    counters.set(name, (counters.get(name) ?? 0) + n);
    this.counters.set(day, counters);
  }

  dayCount(day: number, name: string): number {
    return this.counters.get(day)?.get(name) ?? 0;
  }

  partition(type: string, day: number): CuratedPartition {
    const id = `${type}|${day}`;
    const p = this.curated.get(id) ?? { rows: 0, files: [] };
    this.curated.set(id, p);
    return p;
  }

  /**
   * A rewrite's superseded generation: kept for glue.compaction.retainSupersededMinutes (queries that
   * planned on it finish), then deleted (S3 DELETE requests are free; counted, not billed).
   */
  supersede(files: readonly number[]): void {
    this.count('s3Delete', files.length);
    this.count(
      'supersededBytes',
      files.reduce((a, b) => a + b, 0),
    );
  }

  curatedBytesOfDay(day: number): number {
    let bytes = 0;
    for (const [id, p] of this.curated) if (id.endsWith(`|${day}`)) for (const f of p.files) bytes += f;
    return bytes;
  }

  curatedFilesOfDay(day: number): number {
    let files = 0;
    for (const [id, p] of this.curated) if (id.endsWith(`|${day}`)) files += p.files.length;
    return files;
  }

  /** The S3 ObjectCreated notification body S3 sends to SQS for a new object. */
  notification(bucket: string, key: string, size: number): string {
    this.#sequencer += 1;
    const sequencer = this.#sequencer.toString(16).toUpperCase().padStart(16, '0');
    return s3EventBody(
      { bucket, key, size, eTag: 'e', sequencer, eventName: 'ObjectCreated:Put' },
      { region: 'us-east-1', configurationId: 'cost-model', eventTime: epochMs(this.now()) },
    );
  }

  /** Stores an object under a fresh ETag. */
  set(id: string, body: Uint8Array): void {
    this.#etag += 1;
    this.store.set(id, body);
    this.etags.set(id, `"${this.#etag.toString(16)}"`);
  }

  /**
   * In-memory S3 for the handlers' ports, with S3's conditional writes (If-None-Match, If-Match on
   * the ETag read); every call is counted as the request S3 bills. `onCall` sees each call (λ time).
   */
  ports(onCall: () => void = () => {}) {
    const id = (ref: ObjectRef) => `${ref.bucket}/${ref.key}`;
    const noSuchKey = (ref: ObjectRef) => Object.assign(new Error(`no ${ref.key}`), { name: 'NoSuchKey' });
    const getObjectWithETag = async (ref: ObjectRef): Promise<StoredObject> => {
      onCall();
      this.count('s3Get');
      const body = this.store.get(id(ref));
      if (body === undefined) throw noSuchKey(ref);
      return { body, eTag: this.etags.get(id(ref)) as string };
    };
    const getObject = async (ref: ObjectRef): Promise<Uint8Array> => (await getObjectWithETag(ref)).body;
    const check = (ref: ObjectRef, condition: PutCondition | undefined): void => {
      const current = this.etags.get(id(ref));
      if (condition?.ifNoneMatch === '*' && current !== undefined) {
        throw new PreconditionFailed(`At least one of the pre-conditions did not hold: ${id(ref)}`);
      }
      if (condition?.ifMatch !== undefined) {
        if (current === undefined) throw noSuchKey(ref);
        if (current !== condition.ifMatch) {
          throw new PreconditionFailed(`At least one of the pre-conditions did not hold: ${id(ref)}`);
        }
      }
    };
    const putObject = async (
      ref: ObjectRef,
      body: string | Uint8Array,
      _contentType?: string,
      condition?: PutCondition,
    ): Promise<void> => {
      onCall();
      this.count('s3Put');
      check(ref, condition);
      this.set(id(ref), typeof body === 'string' ? Buffer.from(body) : body);
    };
    const copyObject = async (
      from: ObjectRef,
      to: ObjectRef,
      _contentType?: string,
      condition?: PutCondition,
    ): Promise<void> => {
      onCall();
      this.count('s3Put');
      check(to, condition);
      this.set(id(to), this.store.get(id(from)) ?? new Uint8Array());
    };
    return { getObject, getObjectWithETag, putObject, copyObject };
  }
}
