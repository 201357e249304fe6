// Firehose on a simulated clock, in 1-second ticks of fluid traffic (events arrive at a constant
// rate, split into the sample's record classes). The rules are Firehose's documented ones, re-stated
// here because local/firehose buffers real bytes through gzip and cannot run 86 GB of a day in
// seconds: per stream, a processor buffer invokes the transform λ at 1 MB or 60 s; per evaluated
// partition (prefix), a delivery buffer writes one object at 128 MiB or 300 s after it opened,
// whichever comes first (docs/contracts.md §1, shared/pipeline.json `firehose`).
import { config } from '#shared/config.js';
import type { RecordClass, SampleShape } from './classes.js';
import type { Stream } from './sample.js';

export const DAY_S = 86_400;
const MiB = 2 ** 20;

export interface RawObject {
  stream: Stream;
  /** events, late, failed, or error (Firehose's error output). */
  zone: string;
  /** Event type (failure type for failed/). */
  type: string;
  /** dt as a day number from the simulated start. */
  day: number;
  /** Uncompressed bytes and events in the object. */
  bytes: number;
  events: number;
  /** Simulated seconds: first and last arrival of its events at the API/stream, and delivery. */
  firstArrival: number;
  lastArrival: number;
  deliveredAt: number;
}

export interface FirehoseOptions {
  eventsPerSecond: number;
  seconds: number;
  bufferBytes?: number;
  bufferSeconds?: number;
}

export interface FirehoseDay {
  objects: RawObject[];
  /** Transform λ invocations and records per stream. */
  invocations: Record<Stream, number>;
  records: Record<Stream, number>;
  /** Most partitions buffered at once in a stream (Firehose's limit is 500). */
  peakActivePartitions: number;
}

interface Buffer {
  key: Omit<RawObject, 'bytes' | 'events' | 'firstArrival' | 'lastArrival' | 'deliveredAt'>;
  bytes: number;
  events: number;
  firstArrival: number;
  lastArrival: number;
  openedAt: number;
}

export function simulateFirehose(shape: SampleShape, options: FirehoseOptions): FirehoseDay {
  const f = config.firehose;
  const bufferBytes = options.bufferBytes ?? f.s3BufferSizeMB * MiB;
  const bufferSeconds = options.bufferSeconds ?? f.s3BufferIntervalSeconds;
  const streams: Stream[] = ['direct', 'devices'];
  const out: FirehoseDay = {
    objects: [],
    invocations: { direct: 0, devices: 0 },
    records: { direct: 0, devices: 0 },
    peakActivePartitions: 0,
  };
  const byStream = new Map(streams.map((st) => [st, shape.classes.filter((c) => c.stream === st)]));
  const processor = new Map(
    streams.map((st) => {
      const classes = byStream.get(st) as RecordClass[];
      const meta = classes.map((cls) => {
        const [zone, type = ''] = cls.partition === 'error' ? ['error'] : cls.partition.split('|');
        return { cls, zone: zone as string, type, prefix: `${st}|${cls.partition}|` };
      });
      const perTick = classes.map((c) => options.eventsPerSecond * c.share);
      const bytesPerTick = classes.reduce((sum, c, i) => sum + (perTick[i] as number) * c.inBytes, 0);
      return [st, { meta, perTick, bytesPerTick, pending: new Float64Array(classes.length), bytes: 0, openedAt: -1 }];
    }),
  );
  const delivery = new Map<string, Buffer>();

  const deliver = (id: string, b: Buffer, now: number) => {
    delivery.delete(id);
    const { bytes, events, firstArrival, lastArrival } = b;
    out.objects.push({ ...b.key, bytes, events, firstArrival, lastArrival, deliveredAt: now });
  };
  const flushProcessor = (stream: Stream, now: number, bySize: boolean) => {
    const p = processor.get(stream) as NonNullable<ReturnType<typeof processor.get>>;
    out.invocations[stream] += bySize ? p.bytes / (f.processorBufferSizeMB * MiB) : 1;
    const arrivalDay = Math.floor(p.openedAt / DAY_S);
    p.meta.forEach(({ cls, zone, type, prefix }, i) => {
      const records = p.pending[i] as number;
      if (records <= 0) return;
      const day = arrivalDay + cls.dayOffset;
      const id = prefix + day;
      let b = delivery.get(id);
      if (!b) {
        b = {
          key: { stream, zone, type, day },
          bytes: 0,
          events: 0,
          firstArrival: p.openedAt,
          lastArrival: now,
          openedAt: now,
        };
        delivery.set(id, b);
      }
      b.bytes += records * cls.outBytes;
      b.events += records * cls.eventsPerRecord;
      b.lastArrival = now;
      if (b.bytes >= bufferBytes) deliver(id, b, now);
    });
    p.pending.fill(0);
    p.bytes = 0;
    p.openedAt = -1;
  };

  for (let t = 0; t < options.seconds; t++) {
    for (const stream of streams) {
      const p = processor.get(stream) as NonNullable<ReturnType<typeof processor.get>>;
      if (p.openedAt < 0) p.openedAt = t;
      for (let i = 0; i < p.perTick.length; i++) p.pending[i] = (p.pending[i] as number) + (p.perTick[i] as number);
      p.bytes += p.bytesPerTick;
      out.records[stream] +=
        options.eventsPerSecond * (byStream.get(stream) as RecordClass[]).reduce((a, c) => a + c.share, 0);
      if (p.bytes >= f.processorBufferSizeMB * MiB) flushProcessor(stream, t + 1, true);
      else if (t + 1 - p.openedAt >= f.processorBufferIntervalSeconds) flushProcessor(stream, t + 1, false);
    }
    out.peakActivePartitions = Math.max(out.peakActivePartitions, delivery.size);
    for (const [id, b] of delivery) if (t + 1 - b.openedAt >= bufferSeconds) deliver(id, b, t + 1);
  }
  return out;
}
