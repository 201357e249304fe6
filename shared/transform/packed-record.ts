// Packed records: the ingest λ puts several events that share their partition keys into one
// Firehose record, as an RFC 7464 JSON text sequence (each event is RS, its JSON, LF). No single
// event can start with RS (0x1E is not JSON whitespace), so a packed record is never mistaken for
// one. The transform validates every line again and answers one output record: the normalised
// lines under the keys they share. A packed record whose lines do not all pass, or do not share
// their keys, is answered ProcessingFailed as a whole: Firehose keeps it, raw, under
// processing-failed/, and `eventlake replay processing-failed` unpacks it and re-sends its events
// one per record, where each becomes an event or a failed-event record on its own.
import { EventRejected } from '../contract/event-contract.js';
import { type Arrival, normaliseEvent, parseObject } from './normalise-event.js';
import type { TransformedRecord } from './transform-record.js';

export const RECORD_SEPARATOR = '\u001e';
const RS = 0x1e;
const LF = '\n';

/** A packed record the transform could not answer Ok for; the reason names the first line at fault. */
export interface PackRejected {
  packRejected: string;
  events: number;
}

export const isPacked = (text: string): boolean => text.charCodeAt(0) === RS;

/** The event texts of a packed record, or undefined when it is not a well-formed sequence. */
export function unpack(text: string): string[] | undefined {
  const parts = text.split(RECORD_SEPARATOR);
  if (parts[0] !== '') return undefined;
  const events: string[] = [];
  for (let i = 1; i < parts.length; i += 1) {
    const part = parts[i] as string;
    if (!part.endsWith(LF)) return undefined;
    events.push(part.slice(0, -1));
  }
  return events.length > 0 ? events : undefined;
}

/** Packs serialised events (JSON texts without newlines) into one record's text. */
export const pack = (texts: readonly string[]): string => texts.map((t) => `${RECORD_SEPARATOR}${t}${LF}`).join('');

/** The packed record's output or why it is rejected; undefined when `text` is no sequence at all. */
export function transformPacked(text: string, arrival: Arrival): TransformedRecord | PackRejected | undefined {
  const texts = unpack(text);
  if (texts === undefined) return undefined;
  const lines: string[] = [];
  let keys: { zone: 'events' | 'late'; partitionType: string; dt: string } | undefined;
  for (let i = 0; i < texts.length; i += 1) {
    let line: string;
    try {
      const event = normaliseEvent(parseObject(texts[i] as string), arrival);
      keys ??= event;
      if (event.zone !== keys.zone || event.partitionType !== keys.partitionType || event.dt !== keys.dt) {
        const found = `${event.zone}/${event.partitionType}/${event.dt}`;
        return rejected(i, `partition ${found} differs from ${keys.zone}/${keys.partitionType}/${keys.dt}`, texts);
      }
      line = event.json;
    } catch (error) {
      if (!(error instanceof EventRejected)) throw error;
      return rejected(i, error.message, texts);
    }
    lines.push(line);
  }
  const { zone, partitionType, dt } = keys as NonNullable<typeof keys>;
  return { zone, partitionType, dt, json: lines.join(LF), events: lines.length };
}

const rejected = (index: number, reason: string, texts: readonly string[]): PackRejected => ({
  packRejected: `event ${index + 1} of ${texts.length}: ${reason.slice(0, 300)}`,
  events: texts.length,
});
