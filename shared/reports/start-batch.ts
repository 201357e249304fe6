// start-reports over one SQS batch, within the λ's time: plan every marker's queries, start them with
// at most `concurrency` StartQueryExecution calls in flight, stop starting once the remaining time is
// under the reserve or Athena throttles, and report exactly the messages with a query left unstarted
// (or failed) as batch item failures. A redelivery starts only what is missing: the tokens are the same.
import { objectsCreated } from '../lake/s3-notifications.js';
import { classifyFailure, isRetryableAthenaError, RetryLater } from '../lake/sqs-errors.js';
import { type PlannedQuery, planMarkerQueries, type ReportPorts } from './planning.js';
import { recordStarted, type StartProgressPorts, startedTokens } from './start-progress.js';

export interface BatchMessage {
  messageId: string;
  body: string;
}

export interface StartBatchOptions {
  lakeBucket: string;
  runMarkersPrefix: string;
  /** StartQueryExecution calls in flight at once. */
  concurrency: number;
  /** Milliseconds the λ has left (Lambda's context.getRemainingTimeInMillis); absent → no deadline. */
  remainingTimeMs?: () => number;
  /** No query is started with less than this left: the start, the answer and the response must fit. */
  reserveMs: number;
  /** Where a marker's started queries are recorded when time runs short; absent → not recorded. */
  progress?: StartProgressPorts;
  onError?: (messageId: string, error: unknown) => void;
}

export interface BatchOutcome {
  /** messageIds to answer as batchItemFailures, in batch order. */
  failed: string[];
  queryIds: string[];
  /** Queries not started because time ran short or Athena throttled; their messages come back. */
  deferred: number;
}

interface Item {
  message: number;
  run: Run;
  query: PlannedQuery;
}

interface Run {
  jobRunId: string;
  started: string[];
  incomplete: boolean;
}

export async function startBatch(
  messages: readonly BatchMessage[],
  ports: ReportPorts,
  options: StartBatchOptions,
): Promise<BatchOutcome> {
  const failed = new Set<number>();
  const fail = (message: number, error: unknown) => {
    failed.add(message);
    options.onError?.((messages[message] as BatchMessage).messageId, error);
  };
  const timeLeft = () => options.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
  const items: Item[] = [];
  const runs: Run[] = [];
  for (const [message, { body }] of messages.entries()) {
    if (timeLeft() < options.reserveMs) {
      failed.add(message);
      continue;
    }
    try {
      const filter = { bucket: options.lakeBucket, prefix: options.runMarkersPrefix, suffix: '.json' };
      for (const marker of objectsCreated(body, filter)) {
        const { jobRunId, queries } = await planMarkerQueries(marker, ports);
        const done = options.progress ? await startedTokens(jobRunId, options.progress) : new Set<string>();
        const run: Run = { jobRunId, started: [], incomplete: false };
        runs.push(run);
        for (const query of queries) {
          if (!done.has(query.request.clientRequestToken)) items.push({ message, run, query });
        }
      }
    } catch (error) {
      fail(message, error);
    }
  }
  const queryIds: string[] = [];
  let next = 0;
  let stopped = false;
  let deferred = 0;
  const worker = async () => {
    for (let item = items[next++]; item; item = items[next++]) {
      const messageFailed = failed.has(item.message);
      if (messageFailed || stopped || timeLeft() < options.reserveMs) {
        if (!messageFailed) {
          stopped = true;
          deferred += 1;
        }
        failed.add(item.message);
        item.run.incomplete = true;
        continue;
      }
      try {
        queryIds.push(await ports.startQuery(item.query.request));
        item.run.started.push(item.query.request.clientRequestToken);
      } catch (error) {
        item.run.incomplete = true;
        const operation = `StartQueryExecution ${item.query.report} ${item.query.dt}`;
        const failure = classifyFailure(operation, error, isRetryableAthenaError);
        // A throttled Athena is not helped by more calls: the rest waits for the redelivery.
        if (failure instanceof RetryLater) stopped = true;
        fail(item.message, failure);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  const { progress } = options;
  for (const run of progress ? runs.filter((r) => r.incomplete && r.started.length > 0) : []) {
    try {
      await recordStarted(run.jobRunId, run.started, progress as StartProgressPorts);
    } catch {
      // Not recorded: the redelivery calls StartQueryExecution again for these, and the tokens dedupe.
    }
  }
  const failedIds = messages.filter((_, i) => failed.has(i)).map((m) => m.messageId);
  return { failed: failedIds, queryIds, deferred };
}
