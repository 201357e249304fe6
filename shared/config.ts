// The one pipeline config: every name and number both the cloud stack (serverless.yml reads
// pipeline.json with ${file(...)}) and the local runtime need. Never write these numbers twice.
import pipeline from './pipeline.json' with { type: 'json' };

export type PipelineConfig = typeof pipeline;
export type QueueName = keyof Omit<PipelineConfig['queues'], 'messageRetentionSeconds'>;
export type Zone = 'events' | 'late' | 'failed';

export const config: PipelineConfig = pipeline;

/** The S3 prefix each transform zone lands under (without the trailing slash). */
export const zonePrefix = (zone: Zone): string => {
  const prefixes = { events: config.prefixes.events, late: config.prefixes.late, failed: config.prefixes.failed };
  return prefixes[zone].replace(/\/$/, '');
};
