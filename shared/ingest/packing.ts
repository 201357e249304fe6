// Packing events into Firehose records. Firehose bills every record rounded up to 5 KB, so a 1 KB
// event alone pays for 5 KB. Events that will land in the same partition (zone, event_type, dt)
// share a record: an RFC 7464 sequence (RS, event JSON, LF per event; shared/transform/
// packed-record.ts), filled up to `packRecordBytes` (a multiple of 5,000 bytes, so just under a
// 5 KB step whether a KB is 1,000 or 1,024 bytes). The key is asked of the transform's own rules
// (shared/transform/normalise-event.ts) at the edge's receive time and a margin later: an event
// whose keys could still change before Firehose sees it (near midnight, the freshness boundary,
// the future tolerance), or that the transform would reject, travels alone, exactly as before.
import { assertAttributes, type EventEnvelope, EventRejected } from '../contract/event-contract.js';
import { eventPartition } from '../transform/normalise-event.js';
import { pack } from '../transform/packed-record.js';

/** Firehose's arrival time can trail the edge's by the ingest λ's run (retries included): keys must hold that long. */
export const PACK_KEY_MARGIN_MS = 5 * 60_000;

export interface PackableEvent {
  /** The event's index in the request. */
  index: number;
  /** The serialised event (no newline). */
  text: string;
  /** UTF-8 length of `text`. */
  bytes: number;
  /** Partition key when it can share a record; undefined to travel alone. */
  key?: string;
}

export interface PackedRecords {
  records: Uint8Array[];
  /** The request indexes of the events in each record, ascending. */
  indexes: number[][];
}

/** Bytes a packed event adds besides its JSON: RS and LF. */
const FRAMING_BYTES = 2;

/** The partition key a stamped, envelope-valid event lands under, or undefined when it must travel alone. */
export function packKey(event: EventEnvelope, receivedAtMs: number): string | undefined {
  try {
    assertAttributes(event);
    const now = eventPartition(event, receivedAtMs);
    const later = eventPartition(event, receivedAtMs + PACK_KEY_MARGIN_MS);
    if (now.zone !== later.zone || now.dt !== later.dt) return undefined;
    return `${now.zone}\u0000${event.event_type}\u0000${now.dt}`;
  } catch (error) {
    if (error instanceof EventRejected) return undefined;
    throw error;
  }
}

/**
 * Records for `events`: those with the same key packed together up to `packRecordBytes` each (a
 * group's last record holds the rest), the others one per record. A record holding one event is
 * that event's JSON, as an unpacked record always was. `packRecordBytes` 0 packs nothing.
 */
export function packEvents(events: readonly PackableEvent[], packRecordBytes: number): PackedRecords {
  const out: PackedRecords = { records: [], indexes: [] };
  const groups = new Map<string, PackableEvent[]>();
  for (const event of events) {
    if (event.key === undefined || packRecordBytes <= 0) {
      single(out, event);
      continue;
    }
    const group = groups.get(event.key);
    if (group === undefined) groups.set(event.key, [event]);
    else group.push(event);
  }
  for (const group of groups.values()) {
    let current: PackableEvent[] = [];
    let bytes = 0;
    for (const event of group) {
      const size = event.bytes + FRAMING_BYTES;
      if (current.length > 0 && bytes + size > packRecordBytes) {
        flush(out, current);
        current = [];
        bytes = 0;
      }
      current.push(event);
      bytes += size;
    }
    flush(out, current);
  }
  return out;
}

function single(out: PackedRecords, event: PackableEvent): void {
  out.records.push(Buffer.from(event.text, 'utf8'));
  out.indexes.push([event.index]);
}

function flush(out: PackedRecords, events: PackableEvent[]): void {
  if (events.length === 1) {
    single(out, events[0] as PackableEvent);
    return;
  }
  out.records.push(Buffer.from(pack(events.map((e) => e.text)), 'utf8'));
  out.indexes.push(events.map((e) => e.index));
}
