// What the simulated day keeps: objects by key, the curated partitions and their files, an
// in-memory S3 for the handlers' ports, and counters per simulated day.
import type { ObjectRef } from '#shared/ports.js';
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

  /** In-memory S3 for the handlers' ports; every call is counted as the request S3 bills. */
  ports() {
    const get = async (ref: ObjectRef): Promise<Uint8Array> => {
      this.count('s3Get');
      const body = this.store.get(`${ref.bucket}/${ref.key}`);
      if (body === undefined) throw Object.assign(new Error(`no ${ref.key}`), { name: 'NoSuchKey' });
      return body;
    };
    const put = async (ref: ObjectRef, body: string | Uint8Array): Promise<void> => {
      this.count('s3Put');
      this.store.set(`${ref.bucket}/${ref.key}`, typeof body === 'string' ? Buffer.from(body) : body);
    };
    const copy = async (from: ObjectRef, to: ObjectRef): Promise<void> => {
      this.count('s3Put');
      this.store.set(`${to.bucket}/${to.key}`, this.store.get(`${from.bucket}/${from.key}`) ?? new Uint8Array());
    };
    return { getObject: get, putObject: put, copyObject: copy };
  }
}
