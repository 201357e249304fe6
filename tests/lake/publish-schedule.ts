// Deterministic interleavings of concurrent publishers: every S3 call of every publisher waits at a
// gate, and a chooser releases one pending call at a time (a script, or a seeded random order),
// each call finishing before the next is chosen.
import { createHash } from 'node:crypto';
import { PreconditionFailed } from '#shared/aws/conditional-writes.js';
import type { S3ObjectCreated } from '#shared/lake/s3-notifications.js';
import type { ObjectRef, PutCondition, QueryExecutionSummary } from '#shared/ports.js';
import type { PublishOutcome, PublishPorts } from '#shared/reports/publishing.js';
import { publishReportResult } from '#shared/reports/publishing.js';

export const reporting = 'eventlake-reporting';
export const stableCsv = { bucket: reporting, key: 'reports/daily_events/dt=2025-11-22/daily_events.csv' };
export const indexRef = { bucket: reporting, key: 'reports/index.json' };

export type S3Ports = Pick<PublishPorts, 'getObject' | 'getObjectWithETag' | 'putObject' | 'copyObject'>;

const noSuchKey = (ref: ObjectRef) =>
  Object.assign(new Error(`The specified key does not exist: s3://${ref.bucket}/${ref.key}`), { name: 'NoSuchKey' });

/** In-memory S3 with S3's conditional write semantics and content-MD5 ETags. */
export function memoryS3(): S3Ports & {
  text: (ref: ObjectRef) => string | undefined;
  remove: (ref: ObjectRef) => void;
} {
  const store = new Map<string, Uint8Array>();
  const id = (ref: ObjectRef) => `${ref.bucket}/${ref.key}`;
  const eTag = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;
  const write = (ref: ObjectRef, bytes: Uint8Array, condition?: PutCondition) => {
    const current = store.get(id(ref));
    if (condition?.ifNoneMatch === '*' && current) throw new PreconditionFailed(`exists: ${id(ref)}`);
    if (condition?.ifMatch !== undefined) {
      if (!current) throw noSuchKey(ref);
      if (eTag(current) !== condition.ifMatch) throw new PreconditionFailed(`changed: ${id(ref)}`);
    }
    store.set(id(ref), bytes);
  };
  const read = (ref: ObjectRef) => {
    const bytes = store.get(id(ref));
    if (!bytes) throw noSuchKey(ref);
    return bytes;
  };
  return {
    getObject: async (ref) => read(ref),
    getObjectWithETag: async (ref) => {
      const body = read(ref);
      return { body, eTag: eTag(body) };
    },
    putObject: async (ref, body, _type, condition) =>
      write(ref, typeof body === 'string' ? Buffer.from(body) : body, condition),
    copyObject: async (from, to, _type, condition) => write(to, read(from), condition),
    remove: (ref) => store.delete(id(ref)),
    text: (ref) => {
      const bytes = store.get(id(ref));
      return bytes && Buffer.from(bytes).toString();
    },
  };
}

/** A pending call's label: `<publisher>:<op>` with op one of getIndex, readIndexETag, putIndex, putManifest, readCsv, copy. */
function label(who: string, op: string, ref: ObjectRef): string {
  const onIndex = ref.key === indexRef.key;
  const name: Record<string, string> = {
    getObject: onIndex ? 'getIndex' : `get ${ref.key}`,
    getObjectWithETag: onIndex ? 'readIndexETag' : 'readCsv',
    putObject: onIndex ? 'putIndex' : 'putManifest',
    copyObject: 'copy',
  };
  return `${who}:${name[op]}`;
}

interface Pending {
  label: string;
  release: () => void;
  done: Promise<unknown>;
}

export type Chooser = (pending: readonly string[]) => number;

/**
 * Releases the script's head when pending; a call the rest of the script never names runs when
 * nothing scripted is. `rest` is what the run left unplayed (empty when every step happened).
 */
export function scripted(script: readonly string[]): Chooser & { rest: string[] } {
  const rest = [...script];
  const choose: Chooser = (pending) => {
    const head = rest[0];
    const at = head === undefined ? 0 : pending.indexOf(head);
    if (at >= 0) {
      rest.shift();
      return at;
    }
    const free = pending.findIndex((l) => !rest.includes(l));
    if (free < 0) throw new Error(`script stuck at ${head}; pending ${pending.join(', ')}`);
    return free;
  };
  return Object.assign(choose, { rest });
}

/** A seeded (mulberry32) uniform choice. */
export function seeded(seed: number): Chooser {
  let a = seed >>> 0;
  return (pending) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * pending.length);
  };
}

export interface Result {
  queryExecutionId: string;
  eventTime: string;
}

export const resultEvent = (r: Result): S3ObjectCreated => ({
  bucket: reporting,
  key: `athena-results/${r.queryExecutionId}.csv`,
  size: 1,
  eventName: 'ObjectCreated:Put',
  eventTime: r.eventTime,
  sequencer: '01',
});

const getQueryExecution = async (id: string): Promise<QueryExecutionSummary> => ({
  QueryExecutionId: id,
  Query: '-- eventlake:report=daily_events dt=2025-11-22\nSELECT 1',
  WorkGroup: 'wg',
  Status: { State: 'SUCCEEDED' },
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Publishes each result under its name (`A`, `B`, …) with every S3 call released by `choose`. */
export async function publishConcurrently(
  s3: S3Ports,
  results: Record<string, Result>,
  choose: Chooser,
): Promise<Record<string, PublishOutcome | Error>> {
  const pending: Pending[] = [];
  const gate =
    <A extends [ObjectRef, ...unknown[]], R>(who: string, op: keyof S3Ports, call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const done = released.then(() => call(...args));
      pending.push({ label: label(who, op, args[0]), release, done: done.catch(() => {}) });
      return done;
    };
  const outcomes: Record<string, PublishOutcome | Error> = {};
  const runs = Object.entries(results).map(async ([who, result]) => {
    const ports: PublishPorts = {
      getObject: gate(who, 'getObject', s3.getObject),
      getObjectWithETag: gate(who, 'getObjectWithETag', s3.getObjectWithETag),
      putObject: gate(who, 'putObject', s3.putObject),
      copyObject: gate(who, 'copyObject', s3.copyObject),
      getQueryExecution,
      reportingBucket: reporting,
      now: () => new Date('2025-11-22T12:00:00.000Z'),
      sleep: async () => {},
    };
    outcomes[who] = await publishReportResult(resultEvent(result), ports).catch((error: Error) => error);
  });
  const all = Promise.all(runs);
  for (let steps = 0; steps < 1000; steps++) {
    await settle();
    if (pending.length === 0) break;
    const [next] = pending.splice(choose(pending.map((p) => p.label)), 1);
    next?.release();
    await next?.done;
  }
  await all;
  return outcomes;
}
