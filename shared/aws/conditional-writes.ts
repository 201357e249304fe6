// S3 conditional writes (docs/contracts.md §2a): the named errors both adapters reject with, and a
// read-modify-write loop that cannot lose a concurrent update (If-None-Match for the first write,
// If-Match on the ETag read for every later one, bounded retries with full jitter).
import type { GetObjectWithETag, ObjectRef, PutCondition, PutObject } from '../ports.js';

/** 412: If-None-Match found the key, or If-Match found another ETag. Nothing was written. */
export class PreconditionFailed extends Error {
  override readonly name = 'PreconditionFailed';
  readonly httpStatusCode = 412;
}

/** 409: another conditional write on the same key was in flight. Nothing was written; read again and retry. */
export class ConditionalRequestConflict extends Error {
  override readonly name = 'ConditionalRequestConflict';
  readonly httpStatusCode = 409;
}

/** The update gave up after `attempts` conditional writes that all lost to a concurrent writer. */
export class ConditionalUpdateExhausted extends Error {
  override readonly name = 'ConditionalUpdateExhausted';
}

const errorName = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);
const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/** An SDK error of a conditional PutObject as the named error above; anything else unchanged. */
export function asConditionalWriteError(error: unknown, ref: ObjectRef): unknown {
  const where = `s3://${ref.bucket}/${ref.key}`;
  if (errorName(error) === 'PreconditionFailed' || httpStatus(error) === 412) {
    return new PreconditionFailed(`At least one of the pre-conditions did not hold: ${where}`, { cause: error });
  }
  if (errorName(error) === 'ConditionalRequestConflict' || httpStatus(error) === 409) {
    return new ConditionalRequestConflict(`A conflicting conditional operation is in progress: ${where}`, {
      cause: error,
    });
  }
  return error;
}

/** True for the outcomes of a lost race: read the object again and retry the write. */
export const lostConditionalRace = (error: unknown): boolean =>
  ['PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey'].includes(errorName(error) ?? '');

export interface ConditionalUpdatePorts {
  getObjectWithETag: GetObjectWithETag;
  putObject: PutObject;
}

/** How often a conditional write is tried again after losing a race, and how long to wait between tries. */
export interface RaceRetryOptions {
  /** Conditional writes tried before giving up (default 8). */
  attempts?: number;
  /** Full-jitter backoff: a random wait in [0, min(maxDelayMs, baseDelayMs · 2^attempt)) (defaults 20, 1000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ConditionalUpdateOptions extends RaceRetryOptions {
  contentType: string;
}

/** What the update function decides: the new body, or `undefined` to leave the object as it is. */
export type Update<T> = (current: Uint8Array | undefined) => { body: string | Uint8Array; result: T } | { result: T };

export interface UpdateOutcome<T> {
  result: T;
  written: boolean;
  /** Conditional writes that lost a race before this outcome. */
  retries: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** GetObject with its ETag, or undefined when the key does not exist. */
export async function readWithETag(ref: ObjectRef, ports: Pick<ConditionalUpdatePorts, 'getObjectWithETag'>) {
  try {
    return await ports.getObjectWithETag(ref);
  } catch (error) {
    if (errorName(error) === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * Runs `attempt` (a read, then a conditional write) again while it loses a race (412, 409, the object
 * vanished under If-Match), after a jittered backoff; any other error passes through. After
 * `attempts` lost races: ConditionalUpdateExhausted with `exhausted(attempts)` as its message.
 */
export async function retryLostRaces<T>(
  attempt: (index: number) => Promise<T>,
  exhausted: (attempts: number) => string,
  options: RaceRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  const base = options.baseDelayMs ?? 20;
  const max = options.maxDelayMs ?? 1000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  let lost: unknown;
  for (let index = 0; index < attempts; index++) {
    try {
      return await attempt(index);
    } catch (error) {
      if (!lostConditionalRace(error)) throw error;
      lost = error;
    }
    if (index + 1 < attempts) await sleep(Math.floor(random() * Math.min(max, base * 2 ** index)));
  }
  throw new ConditionalUpdateExhausted(exhausted(attempts), { cause: lost });
}

/**
 * Read `ref` with its ETag, apply `update`, write under the matching condition; on a lost race
 * (412, 409, or the object vanished under If-Match) wait a jittered backoff and start again from
 * the read, so every concurrent update is applied to the latest state exactly once.
 */
export function updateObject<T>(
  ref: ObjectRef,
  update: Update<T>,
  ports: ConditionalUpdatePorts,
  options: ConditionalUpdateOptions,
): Promise<UpdateOutcome<T>> {
  return retryLostRaces(
    async (retries) => {
      const current = await readWithETag(ref, ports);
      const next = update(current?.body);
      if (!('body' in next)) return { result: next.result, written: false, retries };
      const condition: PutCondition = current ? { ifMatch: current.eTag } : { ifNoneMatch: '*' };
      await ports.putObject(ref, next.body, options.contentType, condition);
      return { result: next.result, written: true, retries };
    },
    (attempts) => `s3://${ref.bucket}/${ref.key}: ${attempts} conditional writes lost to concurrent writers`,
    options,
  );
}
