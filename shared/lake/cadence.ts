// The cadence gate's decision, pure: which pending raw objects (if any) one Glue run should take
// now. start-parquet-job (on every SQS batch and on its scheduled tick), the local runtime (on its
// scaled clock) and the cost bench (on a simulated clock) all call decideRun with the same inputs.
// Reference: docs/glue.md "The cadence gate".
import { config } from '../config.js';

/** A raw object announced by an S3 notification and not yet claimed by a run. */
export interface PendingObject {
  bucket: string;
  key: string;
  /** Object size from the notification (`s3.object.size`). */
  bytes: number;
  /** Epoch ms when the gate first recorded it (a re-announcement keeps the first time). */
  announcedAt: number;
}

export interface CadenceSettings {
  /** Start once the oldest pending object has waited this long (the freshness knob). */
  maxDelayMs: number;
  /** Start once this many raw bytes are pending (sized from `glue.targetFileSizeMB`). */
  minBytes: number;
  /** At most this many raw bytes per run; the rest stays pending for the next decision. */
  maxRunBytes: number;
  /** At most this many objects per run (keeps the key manifest and the run's listing small). */
  maxRunObjects: number;
}

export type StartReason = 'bytes' | 'delay';

export type CadenceDecision =
  | { start: true; reason: StartReason; objects: PendingObject[]; remaining: PendingObject[] }
  /** `wakeAt`: when the oldest object reaches the delay (undefined: nothing pending). */
  | { start: false; wakeAt: number | undefined; pendingBytes: number };

const MIB = 1024 * 1024;

/**
 * The settings from `glue.cadence` and `glue.targetFileSizeMB`; `timeScale` shrinks the delay the
 * way the local runtime shrinks every configured duration (1 = cloud time).
 */
export function cadenceSettings(timeScale = 1, glue = config.glue): CadenceSettings {
  const target = glue.targetFileSizeMB * MIB;
  return {
    maxDelayMs: glue.cadence.maxDelayMinutes * 60_000 * timeScale,
    minBytes: glue.cadence.minPendingFiles * target,
    maxRunBytes: glue.cadence.maxRunFiles * target,
    maxRunObjects: glue.cadence.maxRunObjects,
  };
}

/** Oldest first, then by key: the same pending set always gives the same run. */
const byAge = (a: PendingObject, b: PendingObject): number =>
  a.announcedAt - b.announcedAt ||
  (a.bucket + a.key < b.bucket + b.key ? -1 : a.bucket + a.key > b.bucket + b.key ? 1 : 0);

/** Distinct objects (first announcement wins), oldest first. */
export function normalisePending(pending: readonly PendingObject[]): PendingObject[] {
  const seen = new Map<string, PendingObject>();
  for (const object of [...pending].sort(byAge)) {
    const id = `${object.bucket}/${object.key}`;
    if (!seen.has(id)) seen.set(id, object);
  }
  return [...seen.values()];
}

/**
 * Start a run when the pending bytes reach `minBytes` or the oldest object has waited `maxDelayMs`;
 * the run takes the oldest objects up to `maxRunBytes`/`maxRunObjects` (always at least one).
 * Pure: no clock, no I/O; `now` is epoch ms on whatever clock the caller runs.
 */
export function decideRun(pending: readonly PendingObject[], now: number, settings: CadenceSettings): CadenceDecision {
  const objects = normalisePending(pending);
  const pendingBytes = objects.reduce((sum, o) => sum + o.bytes, 0);
  const oldest = objects[0];
  if (!oldest) return { start: false, wakeAt: undefined, pendingBytes: 0 };
  const dueAt = oldest.announcedAt + settings.maxDelayMs;
  let reason: StartReason | undefined;
  if (pendingBytes >= settings.minBytes) reason = 'bytes';
  else if (now >= dueAt) reason = 'delay';
  if (!reason) return { start: false, wakeAt: dueAt, pendingBytes };
  const taken: PendingObject[] = [];
  let bytes = 0;
  for (const object of objects) {
    const full = taken.length >= settings.maxRunObjects || bytes + object.bytes > settings.maxRunBytes;
    if (taken.length > 0 && full) break;
    taken.push(object);
    bytes += object.bytes;
  }
  return { start: true, reason, objects: taken, remaining: objects.slice(taken.length) };
}
