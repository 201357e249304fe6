import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { makePutRecords } from '#shared/aws/firehose.js';

const firehoseMock = mockClient(FirehoseClient);
afterEach(() => firehoseMock.reset());

describe('makePutRecords (PutRecordBatch adapter)', () => {
  it('sends one PutRecordBatch with the records in order and maps each entry', async () => {
    firehoseMock.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 1,
      Encrypted: false,
      RequestResponses: [
        { RecordId: 'r-1' },
        { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        { RecordId: 'r-3' },
      ],
    });
    const records = ['{"a":1}', '{"b":2}', '{"c":3}'].map((s) => Buffer.from(s));
    const results = await makePutRecords(new FirehoseClient({ region: 'eu-west-1' }), 'eventlake-dev-direct')(records);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
    expect(firehoseMock.commandCalls(PutRecordBatchCommand)[0]?.args[0].input).toEqual({
      DeliveryStreamName: 'eventlake-dev-direct',
      Records: records.map((Data) => ({ Data })),
    });
    expect(results).toEqual([
      { ok: true, recordId: 'r-1' },
      { ok: false, errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' },
      { ok: true, recordId: 'r-3' },
    ]);
  });

  it('reports entries Firehose did not answer as failed, and lets a whole-call error through', async () => {
    firehoseMock.on(PutRecordBatchCommand).resolvesOnce({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r-1' }] });
    const put = makePutRecords(new FirehoseClient({ region: 'eu-west-1' }), 'stream');
    expect(await put([Buffer.from('1'), Buffer.from('2')])).toEqual([
      { ok: true, recordId: 'r-1' },
      { ok: false, errorCode: 'MissingResponse', errorMessage: 'no response entry for this record' },
    ]);
    firehoseMock.on(PutRecordBatchCommand).rejects(new Error('ResourceNotFoundException'));
    await expect(put([Buffer.from('1')])).rejects.toThrow('ResourceNotFoundException');
  });
});
