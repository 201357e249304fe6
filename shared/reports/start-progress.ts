// The queries of a run marker already started, kept beside the marker (`_runs/<id>.reports-started`,
// a JSON array of ClientRequestTokens) only when start-reports ran short of time: the redelivery
// skips them instead of calling StartQueryExecution again for each, so a marker too wide for one
// invocation still finishes in a few. Written with conditional writes: concurrent deliveries merge.
import { type ConditionalUpdatePorts, updateObject } from '../aws/conditional-writes.js';
import { reportStartsKey } from '../lake/keys.js';

export interface StartProgressPorts extends ConditionalUpdatePorts {
  lakeBucket: string;
}

const parse = (bytes: Uint8Array | undefined): string[] => {
  if (!bytes) return [];
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
};

/**
 * Tokens recorded as started for this run; none when nothing was recorded, or when the record cannot
 * be read: it only saves calls, the tokens alone already keep a query from starting twice.
 */
export async function startedTokens(jobRunId: string, ports: StartProgressPorts): Promise<Set<string>> {
  try {
    const { body } = await ports.getObjectWithETag({ bucket: ports.lakeBucket, key: reportStartsKey(jobRunId) });
    return new Set(parse(body));
  } catch {
    return new Set();
  }
}

/** Adds `tokens` to the run's record (a union with whatever another delivery recorded). */
export async function recordStarted(jobRunId: string, tokens: readonly string[], ports: StartProgressPorts) {
  if (tokens.length === 0) return;
  await updateObject(
    { bucket: ports.lakeBucket, key: reportStartsKey(jobRunId) },
    (current) => {
      const all = [...new Set([...parse(current), ...tokens])].sort();
      return { body: JSON.stringify(all), result: all.length };
    },
    ports,
    { contentType: 'application/json' },
  );
}
