// The cadence gate the simulated day drives: the project's own (shared/lake/gate.ts, through
// start-parquet-job's SQS and tick handlers), with its settings from `glue.cadence` and
// `glue.targetFileSizeMB` (cadenceSettings) and only the freshness knob varied per scenario.
// `undefined` instead of a gate is the pre-gate baseline: one Glue run per raw-objects SQS batch
// (the batch core in shared/lake/parquet-job-batch.ts, as start-parquet-job ran before the gate).
import { config } from '#shared/config.js';
import { type CadenceSettings, cadenceSettings } from '#shared/lake/cadence.js';

export interface GateSettings {
  /** The freshness knob: the longest an announced object waits for a run, in seconds (glue.cadence.maxDelayMinutes). */
  maxDelaySeconds: number;
}

/** What the day simulation hands the real gate: its ports' settings and the tick's schedule. */
export interface LakeGate {
  readonly name: string;
  /** Seconds between the scheduled cadence ticks (glue.cadence.tickMinutes). */
  readonly tickSeconds: number;
  readonly settings: CadenceSettings;
  readonly staleClaimMs: number;
}

export function cadenceGate(knob: GateSettings): LakeGate {
  return {
    name: `gate ${knob.maxDelaySeconds / 60} min`,
    tickSeconds: config.glue.cadence.tickMinutes * 60,
    settings: { ...cadenceSettings(), maxDelayMs: knob.maxDelaySeconds * 1000 },
    staleClaimMs: config.glue.cadence.staleClaimMinutes * 60_000,
  };
}
