// The Firehose journal's record framing: [u32 length][u32 CRC-32 of the payload][payload], the
// payload being [f64 sequence][f64 arrival ms][u16 partition key length][partition key][data].
// Reading stops at the first frame that is cut short or fails its checksum: a write that a crash
// interrupted was never acknowledged, and nothing after it was written by the same segment.
import { crc32 } from 'node:zlib';

export interface JournalEntry {
  arrival: number;
  data: Uint8Array;
  /** The Kinesis partition key of a Kinesis-sourced record. */
  partitionKey?: string;
}

export interface JournalRecord extends JournalEntry {
  seq: number;
}

const HEADER = 8;
const FIXED = 18;
const NO_KEY = 0xffff;

export function encodeFrame(record: JournalRecord): Buffer {
  const key = record.partitionKey === undefined ? undefined : Buffer.from(record.partitionKey, 'utf8');
  const keyLength = key?.length ?? 0;
  const payloadLength = FIXED + keyLength + record.data.byteLength;
  const frame = Buffer.allocUnsafe(HEADER + payloadLength);
  frame.writeUInt32LE(payloadLength, 0);
  frame.writeDoubleLE(record.seq, HEADER);
  frame.writeDoubleLE(record.arrival, HEADER + 8);
  frame.writeUInt16LE(key === undefined ? NO_KEY : keyLength, HEADER + 16);
  key?.copy(frame, HEADER + FIXED);
  frame.set(record.data, HEADER + FIXED + keyLength);
  frame.writeUInt32LE(crc32(frame.subarray(HEADER)), 4);
  return frame;
}

export interface DecodedSegment {
  records: JournalRecord[];
  /** Bytes after the last whole, valid frame (a torn or corrupt tail). */
  discardedBytes: number;
}

export function decodeFrames(bytes: Buffer): DecodedSegment {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset + HEADER <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + HEADER + length;
    if (length < FIXED || end > bytes.length) break;
    const payload = bytes.subarray(offset + HEADER, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) break;
    const keyField = payload.readUInt16LE(16);
    const keyLength = keyField === NO_KEY ? 0 : keyField;
    if (FIXED + keyLength > length) break;
    const record: JournalRecord = {
      seq: payload.readDoubleLE(0),
      arrival: payload.readDoubleLE(8),
      data: Buffer.from(payload.subarray(FIXED + keyLength)),
    };
    if (keyField !== NO_KEY) record.partitionKey = payload.toString('utf8', FIXED, FIXED + keyLength);
    records.push(record);
    offset = end;
  }
  return { records, discardedBytes: bytes.length - offset };
}
