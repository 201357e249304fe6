// The ingest edge's limits and switches, taken from the pipeline config; tests and the local
// runtime override single fields through the handler factory.
import { config } from '../config.js';

export interface IngestSettings {
  maxEventsPerRequest: number;
  maxDecodedBodyBytes: number;
  /** Largest serialised event Firehose takes as one record. */
  maxRecordBytes: number;
  /** Events sharing partition keys are packed into records of up to this many bytes; 0 packs nothing. */
  packRecordBytes: number;
  /** Exact origins, or `*` for any. */
  corsAllowedOrigins: readonly string[];
  captureSourceIp: boolean;
  captureUserAgent: boolean;
  retryAfterSeconds: number;
}

/**
 * The CORS allow-list of a stage: `api.corsAllowedOrigins.<stage>` in the pipeline config, none for a
 * stage it does not list. The local runtime is the `dev` stage.
 */
export function corsAllowedOriginsFor(stage: string): readonly string[] {
  const byStage: Readonly<Record<string, readonly string[]>> = config.api.corsAllowedOrigins;
  return Object.hasOwn(byStage, stage) ? (byStage[stage] ?? []) : [];
}

/** `CORS_ALLOWED_ORIGINS` as the stack sets it (comma-separated, empty for none) → the allow-list. */
export const parseOriginList = (raw: string | undefined): readonly string[] =>
  (raw ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');

export const defaultIngestSettings: IngestSettings = {
  maxEventsPerRequest: config.api.maxEventsPerRequest,
  maxDecodedBodyBytes: config.api.maxDecodedBodyBytes,
  maxRecordBytes: config.firehose.maxRecordBytes,
  packRecordBytes: config.firehose.packRecordBytes,
  corsAllowedOrigins: corsAllowedOriginsFor('dev'),
  captureSourceIp: config.api.captureSourceIp,
  captureUserAgent: config.api.captureUserAgent,
  retryAfterSeconds: config.api.retryAfterSeconds,
};
