// Athena keeps a query's execution for 45 days whatever happens to its caller; the local Athena keeps
// its executions in memory, so a finished one is also written here (`<dataDir>/_athena/executions/`).
// publish-report maps a result back to its report with GetQueryExecution: a result redriven from a DLQ
// into a later process must still find the query that wrote it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { QueryExecution } from './execution.js';

const historyDir = (dataDir: string): string => path.join(dataDir, '_athena', 'executions');
const safeId = (id: string): boolean => /^[A-Za-z0-9-]{1,128}$/.test(id);

/** Records a finished execution (write to a temp file, then rename: a reader never sees half of it). */
export function rememberExecution(dataDir: string, execution: QueryExecution): void {
  const id = execution.QueryExecutionId;
  if (!safeId(id)) return;
  const dir = historyDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${id}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(execution));
  renameSync(`${file}.tmp`, file);
}

const DATE_FIELDS = ['SubmissionDateTime', 'CompletionDateTime'] as const;

/** A finished execution of an earlier process, or undefined when none was recorded. */
export function recalledExecution(dataDir: string, id: string): QueryExecution | undefined {
  if (!safeId(id)) return undefined;
  let text: string;
  try {
    text = readFileSync(path.join(historyDir(dataDir), `${id}.json`), 'utf8');
  } catch {
    return undefined;
  }
  const execution = JSON.parse(text) as QueryExecution;
  const status = execution.Status as unknown as Record<string, unknown>;
  for (const field of DATE_FIELDS) {
    if (typeof status[field] === 'string') status[field] = new Date(status[field] as string);
  }
  return execution;
}
