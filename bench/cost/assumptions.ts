// The numbers the cost model states rather than measures (docs/cost.md says where each comes from).
// Everything else — counts of requests, records, objects, messages, invocations, runs, files and
// queries — comes from running the pipeline's code on the simulated day.

export const assumptions = {
  /** The modelled event size (the peers' reference load): byte figures of the demo mix are scaled to it. */
  eventBytes: 1024,
  /**
   * Events reach the pipeline at most this long after their event_time (the demo mix's event times,
   * spread over a day, are re-timed: sample.ts realTime); the demo's late events stay late.
   */
  eventLagMaxSeconds: 60,
  /** Glue: billed seconds of a run = startup + uncompressed raw bytes / throughput + dedupe reads. */
  glueStartupSeconds: 45,
  glueRawBytesPerSecond: 20 * 2 ** 20,
  /** The job on main re-reads the event_id of every row already in the partitions a run touches. */
  glueDedupeBytesPerExistingRow: 24,
  glueDedupeBytesPerSecond: 100 * 2 ** 20,
  /** A compaction rewrite: Parquet bytes read (the current generation) plus written (the new one) per second. */
  glueRewriteBytesPerSecond: 20 * 2 ** 20,
  /** GETs to read a whole Parquet file (footer, then its row groups). */
  s3GetsPerParquetFileRead: 2,
  /**
   * Glue Flex: seconds a run waits for spare capacity once it is next (not billed, but the job's one
   * concurrency slot is held). AWS publishes no bound; this is the figure the freshness check uses.
   */
  flexStartDelaySeconds: 10 * 60,
  /** Seconds from StartJobRun to RUNNING (not billed) and from a marker to its queries' results. */
  glueQueueSeconds: 15,
  athenaBaseSeconds: 3,
  athenaBytesPerSecond: 500 * 2 ** 20,
  /** Share of a curated row's Parquet bytes a report query reads (a few columns of ~20). */
  reportColumnShare: 0.3,
  /** Lambda: latency of one AWS call made by a handler (PutRecordBatch, StartJobRun, S3, Athena). */
  awsCallMs: 30,
  glueStartCallMs: 150,
  /** Lambda memory (infra/functions/*.yml): ingest 1024, transform config.transform.memorySize, others 256. */
  ingestMemoryMB: 1024,
  smallMemoryMB: 256,
  /** A handler's own work per SQS message, beyond its AWS calls. */
  handlerMsPerMessage: 2,
  /** The event source mapping's pollers per queue, long-polling 20 s each when idle. */
  pollersPerQueue: 5,
  longPollSeconds: 20,
  /**
   * CloudWatch Logs: a λ invocation's platform lines (START, END, REPORT), one Powertools INFO line
   * (ingest: one per request; transform: one per batch; start-parquet-job: one per run started; the
   * others log only warnings), and a Glue run's driver and executor logs (Glue 5.0 logs in real time).
   */
  lambdaPlatformLogBytes: 330,
  powertoolsInfoLineBytes: 450,
  glueLogBytesPerRun: 2 ** 20,
  /** Peak-to-average of the write rate, for sizing a provisioned Kinesis stream. */
  kinesisPeakFactor: 2,
};

/** The peers' published figures, $ per million events at 100 events/s of 1 KB (docs/cost.md cites them). */
export const peers = [
  { name: 'Game Analytics Pipeline on AWS (Hive Parquet)', usdPerMillionEvents: 0.36 },
  { name: 'Game Analytics Pipeline on AWS (Iceberg)', usdPerMillionEvents: 0.25 },
  { name: 'Clickstream Analytics on AWS', usdPerMillionEvents: 0.48 },
];
