// Replay in waves that open few partitions at a time. Records that landed in
// activePartitionExceeded/ were refused because the stream had 500 partitions open at once: sending
// them again in one burst would open as many again and fail the same way. Payloads are grouped by
// the partition they will most likely land in (event type × event date) and sent a wave of at most
// `partitionsPerWave` groups at a time, the stream flushed between waves so those partitions close
// (in the cloud, the same pacing is one buffer interval between waves).

export interface Wave {
  payloads: Buffer[];
  partitions: number;
}

/** `event_type/yyyy-MM-dd` of a payload's event time, or '' when it cannot be read (its own group). */
export function partitionHint(payload: Buffer): string {
  let event: { event_type?: unknown; event_time?: unknown };
  try {
    event = JSON.parse(payload.toString('utf8')) as typeof event;
  } catch {
    return '';
  }
  if (typeof event !== 'object' || event === null) return '';
  const type = typeof event.event_type === 'string' ? event.event_type : '';
  const time = event.event_time;
  const date =
    typeof time === 'string'
      ? time.slice(0, 10)
      : typeof time === 'number' && Number.isFinite(time) && Math.abs(time) < 8.64e15
        ? new Date(time).toISOString().slice(0, 10)
        : '';
  return `${type}/${date}`;
}

/** The payloads grouped by partition hint, in waves of at most `partitionsPerWave` groups, first-seen order. */
export function wavesOf(payloads: readonly Buffer[], partitionsPerWave: number): Wave[] {
  const groups = new Map<string, Buffer[]>();
  for (const payload of payloads) {
    const hint = partitionHint(payload);
    const group = groups.get(hint);
    if (group === undefined) groups.set(hint, [payload]);
    else group.push(payload);
  }
  const waves: Wave[] = [];
  let current: Wave = { payloads: [], partitions: 0 };
  for (const group of groups.values()) {
    if (current.partitions >= Math.max(1, partitionsPerWave)) {
      waves.push(current);
      current = { payloads: [], partitions: 0 };
    }
    current.payloads.push(...group);
    current.partitions += 1;
  }
  if (current.partitions > 0) waves.push(current);
  return waves;
}
