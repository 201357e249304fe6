// Where each record of a finished invocation goes: its partition buffer, or the error output
// (processing-failed with the original data; partitioning-failed / activePartitionExceeded).
import type { FailedRecord, S3Delivery } from './delivery.js';
import type { BufferedRecord, InvocationOutcome } from './processor.js';
import type { FirehoseStats } from './stream-support.js';

export interface RoutingContext {
  delivery: S3Delivery;
  stats: FirehoseStats;
  lambdaArn: string;
  /** Journal sequence numbers of records that need no object (the transform dropped them). */
  delivered?: (seqs: number[]) => void;
}

type ErrorFields = Pick<FailedRecord, 'errorCode' | 'errorMessage'> & { attempts: number };

const PROCESSING_FAILED_STATUS = {
  errorCode: 'Lambda.ProcessingFailedStatus',
  errorMessage: 'ProcessingFailed status set for record',
};

const PARTITIONING_ERRORS = {
  'partitioning-failed': {
    errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
    errorMessage: 'The partition keys the S3 prefix needs are missing from the Lambda metadata.',
  },
  activePartitionExceeded: {
    errorCode: 'DynamicPartitioning.ActivePartitionExceeded',
    errorMessage: 'The delivery stream reached its limit of active partitions.',
  },
} as const;

export function routeInvocation(
  ctx: RoutingContext,
  batch: readonly BufferedRecord[],
  outcome: InvocationOutcome,
): void {
  if (!outcome.ok) {
    ctx.stats.invocationFailures += 1;
    for (const source of batch) processingFailed(ctx, source, outcome);
    return;
  }
  const dropped: number[] = [];
  for (let i = 0; i < batch.length; i += 1) {
    const source = batch[i] as BufferedRecord;
    const result = outcome.records[i];
    if (result?.result === 'Dropped') {
      ctx.stats.dropped += 1;
      if (source.seq !== undefined) dropped.push(source.seq);
    } else if (result?.result !== 'Ok')
      processingFailed(ctx, source, { ...PROCESSING_FAILED_STATUS, attempts: outcome.attempts });
    else {
      const added = ctx.delivery.addRecord(result.keys, result.data, source.arrival, source.seq);
      if (added === 'missingPartitionKeys') partitioningFailed(ctx, 'partitioning-failed', source, result.data);
      if (added === 'activePartitionExceeded') partitioningFailed(ctx, 'activePartitionExceeded', source, result.data);
    }
  }
  if (dropped.length > 0) ctx.delivered?.(dropped);
}

function processingFailed(ctx: RoutingContext, source: BufferedRecord, error: ErrorFields): void {
  ctx.stats.processingFailed += 1;
  const rawData = Buffer.from(source.data.buffer, source.data.byteOffset, source.data.byteLength).toString('base64');
  ctx.delivery.addFailure(
    'processing-failed',
    {
      rawData,
      arrival: source.arrival,
      attemptsMade: error.attempts,
      errorCode: error.errorCode,
      errorMessage: error.errorMessage,
      lambdaArn: ctx.lambdaArn,
    },
    source.seq,
  );
}

/** The record was transformed; its transformed data is what could not be placed. */
function partitioningFailed(
  ctx: RoutingContext,
  type: keyof typeof PARTITIONING_ERRORS,
  source: BufferedRecord,
  data: Buffer,
): void {
  ctx.stats.partitioningFailed += 1;
  ctx.delivery.addFailure(
    type,
    {
      rawData: data.toString('base64'),
      arrival: source.arrival,
      attemptsMade: 1,
      ...PARTITIONING_ERRORS[type],
    },
    source.seq,
  );
}
