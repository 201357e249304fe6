// AWS adapter for the PutRecords port: one PutRecordBatch call per chunk, on the stream named here.
import { type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { PutRecordResult, PutRecords } from '../ports.js';

export const makePutRecords =
  (firehose: FirehoseClient, streamName: string): PutRecords =>
  async (records) => {
    const output = await firehose.send(
      new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: records.map((data) => ({ Data: data })) }),
    );
    const responses = output.RequestResponses ?? [];
    // Firehose answers every entry in request order; a missing answer counts as a failure to re-send.
    return records.map((_, i): PutRecordResult => {
      const entry = responses[i];
      if (entry?.RecordId !== undefined && entry.ErrorCode === undefined) return { ok: true, recordId: entry.RecordId };
      return {
        ok: false,
        errorCode: entry?.ErrorCode ?? 'MissingResponse',
        errorMessage: entry?.ErrorMessage ?? 'no response entry for this record',
      };
    });
  };
