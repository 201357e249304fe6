// When a Glue run starts, as a small interface the day simulation calls: `undefined` is main's
// start-parquet-job (one run per SQS batch); a gate holds announced objects and decides. Until the
// cadence gate of issue 13 item 1 is on main, the rule is re-stated here as the issue states it: a
// run starts when the pending raw bytes reach a threshold or the oldest pending object has waited the
// freshness knob, checked on every raw-objects batch and on a scheduled tick. Plug the project's own
// decision in here once it lands.
import { config } from '#shared/config.js';

export interface PendingObject {
  key: string;
  /** Compressed bytes (what S3 announces as the object's size). */
  size: number;
  /** Simulated second it was announced. */
  announcedAt: number;
}

export interface CadenceGate {
  readonly name: string;
  /** Seconds between scheduled ticks. */
  readonly tickSeconds: number;
  /** Records a batch's objects; returns the object groups to start runs for now. */
  onObjects(objects: readonly PendingObject[], now: number): PendingObject[][];
  onTick(now: number): PendingObject[][];
}

export interface GateSettings {
  /** The freshness knob: the longest an announced object waits for a run, in seconds. */
  maxDelaySeconds: number;
  /** Pending compressed bytes that start a run at once (default: glue.targetFileSizeMB). */
  thresholdBytes?: number;
  /** Seconds between scheduled ticks (default 300). */
  tickSeconds?: number;
}

export function cadenceGate(settings: GateSettings): CadenceGate {
  const threshold = settings.thresholdBytes ?? config.glue.targetFileSizeMB * 2 ** 20;
  let pending: PendingObject[] = [];
  let pendingBytes = 0;
  const decide = (now: number): PendingObject[][] => {
    const oldest = pending[0];
    if (!oldest) return [];
    if (pendingBytes < threshold && now - oldest.announcedAt < settings.maxDelaySeconds) return [];
    const run = pending;
    pending = [];
    pendingBytes = 0;
    return [run];
  };
  return {
    name: `gate ${settings.maxDelaySeconds / 60} min`,
    tickSeconds: settings.tickSeconds ?? 300,
    onObjects(objects, now) {
      for (const o of objects) {
        pending.push(o);
        pendingBytes += o.size;
      }
      return decide(now);
    },
    onTick: decide,
  };
}

/**
 * Compaction as issue 13 states it, re-stated in the bench until it is on main: once a
 * dt is closed, one run rewrites its partitions that hold more than maxFiles files.
 */
export interface CompactionRule {
  /** Seconds after a dt's last possible arrival at which its partitions count as closed. */
  closeAfterSeconds: number;
  targetFileBytes: number;
  maxFiles: number;
}

/** Files a closed partition of `bytes` is rewritten into: about the target size, at most maxFiles. */
export const compactedFiles = (bytes: number, rule: CompactionRule): number =>
  Math.max(1, Math.min(rule.maxFiles, Math.ceil(bytes / rule.targetFileBytes)));
