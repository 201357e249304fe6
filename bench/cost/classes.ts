// The sample folded into classes of records that land in the same kind of Firehose partition
// (stream × zone × type × day offset), with per-event shares and bytes scaled to the modelled event
// size; plus what Firehose and Kinesis bill per event.
import { config } from '#shared/config.js';
import { steps } from './billing.js';
import type { Sample, SampleRecord, Stream } from './sample.js';

export interface RecordClass {
  stream: Stream;
  /** `zone|type`, or `error` (Firehose's error output). */
  partition: string;
  zone: string;
  dayOffset: number;
  /** Firehose records of this class per generated event. */
  share: number;
  /** Events per record (more than one when packed). */
  eventsPerRecord: number;
  /** Scaled bytes per record: into Firehose, and out of the transform. */
  inBytes: number;
  outBytes: number;
}

export interface SampleShape {
  classes: RecordClass[];
  /** Byte factor: modelled event bytes / the demo mix's mean event bytes. */
  scale: number;
  /** API requests per app event, and app events' share of all events. */
  requestsPerAppEvent: number;
  appShare: number;
  deviceShare: number;
  /** Firehose-billed bytes (5 KB steps) and records per generated event, per stream. */
  directBilledPerEvent: number;
  directRecordsPerEvent: number;
  devicesBilledPerEvent: number;
  /** Kinesis: 1 KB steps (on-demand data in) and 25 KB PUT payload units per device event. */
  kinesisBilledInPerEvent: number;
  kinesisPutUnitsPerEvent: number;
  meanDeviceRecordBytes: number;
  ingestMsPerRequest: number;
  transformMsPerRecord: number;
}

export function shapeOf(sample: Sample, eventBytes: number): SampleShape {
  const scale = eventBytes / sample.meanEventBytes;
  const byClass = new Map<
    string,
    { first: SampleRecord; count: number; events: number; inBytes: number; outBytes: number }
  >();
  for (const r of sample.records) {
    const id = `${r.stream}|${r.partition}|${r.dayOffset}`;
    const c = byClass.get(id) ?? { first: r, count: 0, events: 0, inBytes: 0, outBytes: 0 };
    c.count += 1;
    c.events += r.events;
    c.inBytes += r.inBytes;
    c.outBytes += r.outBytes;
    byClass.set(id, c);
  }
  const classes = [...byClass.values()].map(({ first, count, events, inBytes, outBytes }) => ({
    stream: first.stream,
    partition: first.partition,
    zone: first.partition.split('|')[0] as string,
    dayOffset: first.dayOffset,
    share: count / sample.events,
    eventsPerRecord: events / count,
    inBytes: (inBytes / count) * scale,
    outBytes: (outBytes / count) * scale,
  }));
  const direct = sample.records.filter((r) => r.stream === 'direct');
  const devices = sample.records.filter((r) => r.stream === 'devices');
  const appEvents = sample.events - devices.reduce((n, r) => n + r.events, 0);
  const increment = config.prices.firehose.recordIncrementBytes;
  const billed = (records: SampleRecord[]) =>
    records.reduce((sum, r) => sum + steps(r.inBytes * scale, increment) * increment, 0);
  const k = config.prices.kinesis;
  return {
    classes,
    scale,
    requestsPerAppEvent: sample.requests / appEvents,
    appShare: appEvents / sample.events,
    deviceShare: devices.length / sample.events,
    directBilledPerEvent: billed(direct) / sample.events,
    directRecordsPerEvent: direct.length / sample.events,
    devicesBilledPerEvent: billed(devices) / sample.events,
    kinesisBilledInPerEvent:
      devices.reduce((s, r) => s + steps(r.inBytes * scale, k.onDemandRecordIncrementBytes), 0) *
      (k.onDemandRecordIncrementBytes / sample.events),
    kinesisPutUnitsPerEvent: devices.reduce((s, r) => s + steps(r.inBytes * scale, k.putUnitBytes), 0) / sample.events,
    meanDeviceRecordBytes: devices.reduce((s, r) => s + r.inBytes * scale, 0) / Math.max(1, devices.length),
    ingestMsPerRequest: sample.ingestMsPerRequest * scale,
    transformMsPerRecord: sample.transformMsPerRecord * scale,
  };
}
