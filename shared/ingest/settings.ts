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

export const defaultIngestSettings: IngestSettings = {
  maxEventsPerRequest: config.api.maxEventsPerRequest,
  maxDecodedBodyBytes: config.api.maxDecodedBodyBytes,
  maxRecordBytes: config.firehose.maxRecordBytes,
  packRecordBytes: config.firehose.packRecordBytes,
  corsAllowedOrigins: config.api.corsAllowedOrigins,
  captureSourceIp: config.api.captureSourceIp,
  captureUserAgent: config.api.captureUserAgent,
  retryAfterSeconds: config.api.retryAfterSeconds,
};
