// The Firehose side of the transform λ contract (docs/contracts.md §1): builds the invocation event,
// validates the response as Firehose does (every recordId exactly once, a known result, base64
// data, within the 6 MB Lambda response limit) and retries a failed invocation.
import { randomUUID } from 'node:crypto';
import type {
  FirehoseRecordMetadata,
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
} from 'aws-lambda';
import type { PartitionKeys } from './prefix.js';

export type TransformHandler = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

export interface BufferedRecord {
  recordId: string;
  data: Uint8Array;
  arrival: number;
  kinesis?: FirehoseRecordMetadata;
  /** The record's sequence number in the stream's journal (absent without one). */
  seq?: number;
}

export interface StreamIdentity {
  deliveryStreamArn: string;
  region: string;
  sourceKinesisStreamArn?: string;
}

export type ProcessedRecord =
  | { result: 'Ok'; data: Buffer; keys: PartitionKeys | undefined }
  | { result: 'Dropped' }
  | { result: 'ProcessingFailed' };

export type InvocationOutcome =
  | { ok: true; records: ProcessedRecord[]; attempts: number }
  | { ok: false; errorCode: string; errorMessage: string; attempts: number };

/** Lambda's synchronous response payload limit. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

class InvocationFailure extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export function transformationEvent(
  batch: readonly BufferedRecord[],
  stream: StreamIdentity,
): FirehoseTransformationEvent {
  const records = new Array<FirehoseTransformationEventRecord>(batch.length);
  for (let i = 0; i < batch.length; i += 1) {
    const r = batch[i] as BufferedRecord;
    const data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64');
    records[i] = r.kinesis
      ? { recordId: r.recordId, approximateArrivalTimestamp: r.arrival, data, kinesisRecordMetadata: r.kinesis }
      : { recordId: r.recordId, approximateArrivalTimestamp: r.arrival, data };
  }
  const event: FirehoseTransformationEvent = {
    invocationId: randomUUID(),
    deliveryStreamArn: stream.deliveryStreamArn,
    region: stream.region,
    records,
  };
  if (stream.sourceKinesisStreamArn) event.sourceKinesisStreamArn = stream.sourceKinesisStreamArn;
  return event;
}

export interface InvokeSettings {
  /** Firehose NumberOfRetries: a failed invocation is tried this many more times. */
  retries: number;
  /** The function timeout (real milliseconds, never scaled: a slow machine must not fail a batch). */
  timeoutMs: number;
}

/** Invokes the transform, retrying a failed invocation; the outcome says what to write where. */
export async function invokeTransform(
  handler: TransformHandler,
  batch: readonly BufferedRecord[],
  stream: StreamIdentity,
  settings: InvokeSettings,
): Promise<InvocationOutcome> {
  let last = new InvocationFailure('Lambda.FunctionError', 'not invoked');
  for (let attempt = 1; attempt <= settings.retries + 1; attempt += 1) {
    try {
      const response = await withTimeout(handler(transformationEvent(batch, stream)), settings.timeoutMs);
      return { ok: true, records: validateResponse(response, batch), attempts: attempt };
    } catch (error) {
      last = error instanceof InvocationFailure ? error : new InvocationFailure('Lambda.FunctionError', FUNCTION_ERROR);
    }
  }
  return { ok: false, errorCode: last.errorCode, errorMessage: last.message, attempts: settings.retries + 1 };
}

const FUNCTION_ERROR = 'The Lambda function was successfully invoked but it returned an error result.';

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InvocationFailure('Lambda.FunctionTimedOut', `Task timed out after ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The response's records in input order; throws InvocationFailure for any contract violation. */
export function validateResponse(response: unknown, batch: readonly BufferedRecord[]): ProcessedRecord[] {
  const records = (response as FirehoseTransformationResult | null)?.records;
  if (!Array.isArray(records)) {
    throw new InvocationFailure('Lambda.JsonProcessingException', 'response has no records array');
  }
  const index = new Map<string, number>();
  for (let i = 0; i < batch.length; i += 1) index.set((batch[i] as BufferedRecord).recordId, i);
  const out = new Array<Checked | undefined>(batch.length).fill(undefined);
  let responseBytes = 0;
  for (const record of records as unknown[]) {
    const { recordId, result, data, metadata } = (record ?? {}) as Record<string, unknown>;
    const position = typeof recordId === 'string' ? index.get(recordId) : undefined;
    if (position === undefined) {
      throw new InvocationFailure('Lambda.MissingRecordId', `unknown recordId ${String(recordId)}`);
    }
    if (out[position]) throw new InvocationFailure('Lambda.DuplicatedRecordId', `recordId ${recordId} returned twice`);
    out[position] = checked(result, data, metadata, recordId as string);
    responseBytes += (typeof data === 'string' ? data.length : 0) + 128;
  }
  if (responseBytes > MAX_RESPONSE_BYTES) {
    throw new InvocationFailure('Lambda.ResponsePayloadTooLarge', `response exceeds ${MAX_RESPONSE_BYTES} bytes`);
  }
  const missing = out.indexOf(undefined);
  if (missing >= 0) {
    const { recordId } = batch[missing] as BufferedRecord;
    throw new InvocationFailure('Lambda.MissingRecordId', `recordId ${recordId} not returned`);
  }
  return decodeOkData(out as Checked[]);
}

type Checked =
  | Exclude<ProcessedRecord, { result: 'Ok' }>
  | { result: 'Ok'; recordId: string; data: string; keys: PartitionKeys | undefined };

function checked(result: unknown, data: unknown, metadata: unknown, recordId: string): Checked {
  if (result === 'Dropped' || result === 'ProcessingFailed') return { result };
  if (result !== 'Ok') {
    throw new InvocationFailure('Lambda.InvalidReturnedResult', `record ${recordId} has result ${String(result)}`);
  }
  if (typeof data !== 'string' || data.length % 4 !== 0) throw notBase64(recordId);
  const keys = (metadata as { partitionKeys?: PartitionKeys } | undefined)?.partitionKeys;
  return { result, recordId, data, keys };
}

/**
 * Decodes every Ok record's data into one buffer (one allocation per invocation, not per record).
 * Node skips characters outside the base64 alphabet, so a short write means the data was not base64.
 */
function decodeOkData(records: Checked[]): ProcessedRecord[] {
  let total = 0;
  for (const r of records) if (r.result === 'Ok') total += Buffer.byteLength(r.data, 'base64');
  const all = Buffer.allocUnsafe(total);
  let offset = 0;
  return records.map((r) => {
    if (r.result !== 'Ok') return r;
    const expected = Buffer.byteLength(r.data, 'base64');
    const written = all.write(r.data, offset, 'base64');
    if (written !== expected) throw notBase64(r.recordId);
    offset += written;
    return { result: 'Ok', data: all.subarray(offset - written, offset), keys: r.keys };
  });
}

const notBase64 = (recordId: string): InvocationFailure =>
  new InvocationFailure('Lambda.InvalidReturnedResult', `record ${recordId} data is not base64`);
