// `eventlake replay`: recovers what the pipeline could not process, on a local data directory —
// failed-event records after a schema fix, Firehose error output, and dead-letter messages — by
// sending it through the same stream or queue again. Glue dedupes on event_id, so replaying twice
// never doubles a valid event; the ledger makes a repeated replay skip objects already replayed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { config, type QueueName } from '#shared/config.js';
import { failureTypes } from '#shared/contract/event-contract.js';
import { type LocalPipeline, startLocalPipeline } from '../../pipeline/pipeline.js';
import { defaultDataDir, localBucketNames } from '../../s3/buckets.js';
import { dlqQueueNames, persistDlqs } from '../../sqs/dlq-store.js';
import { redriveStoredDlqs } from './dlq.js';
import { isInLedger, readReplayLedger, recordReplay, writeReplayLedger } from './ledger.js';
import { errorRecordPayload, failedEventPayload, type ReplaySource, replayKeys, sourcePrefixes } from './records.js';
import { defaultPacing, type ReplayOutcome, type ReplayPacing, replayObjects } from './run.js';
import { printDlqSummary, printReplaySummary, type ReplayIo } from './summary.js';

export const replayHelp = `eventlake replay — re-submit what the local pipeline could not process

Usage:
  eventlake replay failed --type <failure_type> [--since yyyy-MM-dd] [--force]
      failed-event records under failed/type=<failure_type>/dt=<d>/ (d ≥ since): each original
      payload goes through the direct delivery stream and the transform again (e.g. after a schema
      fix). Now-valid events reach curated Parquet once (Glue dedupes by event_id); still-invalid
      ones become new failed records. failure_type: ${failureTypes.join(', ')}
  eventlake replay processing-failed [--since yyyy-MM-dd] [--force]
      Firehose error output (processing-failed/, partitioning-failed/, activePartitionExceeded/):
      records the transform never answered Ok for, re-submitted the same way, one event per record
      (packed records are unpacked), in waves of at most --partitions-per-wave partitions
  eventlake replay dlq [--queue ${dlqQueueNames.join('|')}]
      dead-letter messages stored in <data-dir>/_dlq/ when a pipeline stopped, sent back into their
      source queue (SQS redrive)

Options:
  --data-dir DIR   the data directory (default $EVENTLAKE_DATA_DIR or ${config.local.dataDir})
  --force          replay objects the ledger (<data-dir>/_replay/ledger.json) says were replayed before
  --partitions-per-wave N
                   event type × date groups sent before the stream is flushed (default ${defaultPacing.partitionsPerWave}):
                   keeps a replay of activePartitionExceeded records under the 500-partition limit
  --json           print the summary as JSON

Stop \`npm run dev\` on the same data directory first. Exit code 0 when every record was accepted,
1 when some were not, 2 on bad usage.`;

type ReplayPlan = { what: 'dlq'; queues: QueueName[] } | { what: 'records'; source: ReplaySource; since?: string };

interface ParsedReplay {
  plan: ReplayPlan;
  dataDir: string;
  force: boolean;
  json: boolean;
  pacing: ReplayPacing;
}

const processIo: ReplayIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function runReplay(argv: string[], io: ReplayIo = processIo): Promise<number> {
  let parsed: ParsedReplay | 'help';
  try {
    parsed = parseReplayArgs(argv);
  } catch (error) {
    io.stderr(`eventlake replay: ${(error as Error).message}\n\n${replayHelp}\n`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout(`${replayHelp}\n`);
    return 0;
  }
  if (!existsSync(path.join(parsed.dataDir, localBucketNames.ingest))) {
    io.stderr(`eventlake replay: no eventlake data at ${parsed.dataDir}\n`);
    return 1;
  }
  const pipeline = await startLocalPipeline({ dataDir: parsed.dataDir });
  try {
    return await replay(pipeline, parsed, io);
  } finally {
    await persistDlqs(pipeline);
    await pipeline.close();
  }
}

async function replay(pipeline: LocalPipeline, parsed: ParsedReplay, io: ReplayIo): Promise<number> {
  const { plan } = parsed;
  if (plan.what === 'dlq') {
    printDlqSummary(await redriveStoredDlqs(pipeline, plan.queues), parsed.json, io);
    return 0;
  }
  const outcome = await replayStored(pipeline, plan, parsed);
  printReplaySummary(plan.source, outcome, parsed.json, io);
  return outcome.notAccepted === 0 ? 0 : 1;
}

async function replayStored(
  p: LocalPipeline,
  { source, since }: { source: ReplaySource; since?: string | undefined },
  { force, pacing }: Pick<ParsedReplay, 'force' | 'pacing'>,
): Promise<ReplayOutcome> {
  const ledger = await readReplayLedger(p.dataDir);
  const keys = await replayKeys(p.s3.listKeys, localBucketNames.ingest, source, since);
  const todo = force ? keys : keys.filter((key) => !isInLedger(ledger, key));
  const decode = source.kind === 'failed' ? failedEventPayload : errorRecordPayload;
  const { outcome, recordsPerObject, written } = await replayObjects(p, todo, decode, pacing);
  outcome.objectsSkipped = keys.length - todo.length;
  if (todo.length === 0) return outcome;
  const at = new Date();
  // What the replay wrote back under the prefixes it reads is its own output: never fed to it again by default.
  const ownPrefixes = sourcePrefixes(source);
  for (const key of written)
    if (ownPrefixes.some((prefix) => key.startsWith(prefix))) ledger.outputs[key] = at.toISOString();
  // An object whose records were not all accepted is not replayed yet: the next run takes it again.
  if (outcome.notAccepted === 0) for (const [key, records] of recordsPerObject) recordReplay(ledger, key, records, at);
  await writeReplayLedger(p.dataDir, ledger);
  return outcome;
}

function parseReplayArgs(argv: string[]): ParsedReplay | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      since: { type: 'string' },
      queue: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'partitions-per-wave': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length === 0) return 'help';
  if (values.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.since)) {
    throw new Error(`--since must be yyyy-MM-dd, got ${values.since}`);
  }
  const dataDir = values['data-dir'] === undefined ? defaultDataDir() : path.resolve(values['data-dir']);
  const perWave = values['partitions-per-wave'];
  if (perWave !== undefined && !/^[1-9]\d{0,5}$/.test(perWave)) {
    throw new Error(`--partitions-per-wave must be a positive integer, got ${perWave}`);
  }
  const pacing = perWave === undefined ? defaultPacing : { partitionsPerWave: Number(perWave) };
  const common = { dataDir, force: values.force ?? false, json: values.json ?? false, pacing };
  return { ...common, plan: replayPlan(positionals, values) };
}

function replayPlan(positionals: string[], values: { type?: string; since?: string; queue?: string }): ReplayPlan {
  const [what, ...extra] = positionals;
  if (extra.length > 0) throw new Error(`unexpected argument ${extra.join(' ')}`);
  const since = values.since === undefined ? {} : { since: values.since };
  if (what === 'failed') {
    const failureType = values.type;
    if (failureType === undefined) throw new Error('replay failed needs --type <failure_type>');
    if (!(failureTypes as readonly string[]).includes(failureType))
      throw new Error(`unknown failure type ${failureType}`);
    return { what: 'records', source: { kind: 'failed', failureType }, ...since };
  }
  if (what === 'processing-failed') return { what: 'records', source: { kind: 'processing-failed' }, ...since };
  if (what === 'dlq') {
    const queue = values.queue;
    if (queue === undefined) return { what: 'dlq', queues: [...dlqQueueNames] };
    if (!(dlqQueueNames as readonly string[]).includes(queue)) throw new Error(`unknown queue ${queue}`);
    return { what: 'dlq', queues: [queue as QueueName] };
  }
  throw new Error(`unknown replay source ${what}: use failed, processing-failed or dlq`);
}
