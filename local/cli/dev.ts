// `npm run dev`: the long-running local stack — the ingest API on 127.0.0.1, the pipeline moving on
// its own timers (Firehose buffer intervals, queue batching windows, all scaled), and the dashboard
// rewritten whenever new reports are published. Ctrl-C stops it cleanly: no new requests, buffers
// flushed, the pipeline settled, the dashboard written one last time (dev-signals.ts).
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { config } from '#shared/config.js';
import { reportIndexKey } from '#shared/lake/keys.js';
import { startIngestServer } from '../apigateway/ingest-server.js';
import { writeDashboard } from '../dashboard/dashboard.js';
import { type LocalPipeline, startLocalPipeline } from '../pipeline/pipeline.js';
import { queueEntries } from '../pipeline/queues.js';
import { settle } from '../pipeline/settle.js';
import { defaultDataDir, localBucketNames, objectPath } from '../s3/buckets.js';
import { persistDlqs } from '../sqs/dlq-store.js';
import { untilSignal } from './dev-signals.js';
import { removeDevState, writeDevState } from './dev-state.js';

export interface DevOptions {
  dataDir: string;
  port: number;
  /** How often to look for newly published reports (real ms). */
  dashboardPollMs?: number;
  log?: (text: string) => void;
}

export interface DevSession {
  url: string;
  pipeline: LocalPipeline;
  /** The shutdown sequence (idempotent): stop the server, flush, settle, last dashboard, close. */
  stop(): Promise<void>;
}

const DASHBOARD_POLL_MS = 2_000;

export async function startDev(options: DevOptions): Promise<DevSession> {
  const log = options.log ?? ((text: string) => process.stderr.write(`${text}\n`));
  mkdirSync(options.dataDir, { recursive: true });
  const pipeline = await startLocalPipeline({ dataDir: options.dataDir });
  const server = await startIngestServer(pipeline, options.port).catch(async (error: unknown) => {
    await pipeline.close();
    throw error;
  });
  const state = {
    pid: process.pid,
    port: Number(new URL(server.url).port),
    url: server.url,
    startedAt: new Date().toISOString(),
    dataDir: options.dataDir,
  };
  const writeState = () =>
    writeDevState({ ...state, queues: { at: new Date().toISOString(), depths: depths(pipeline) } });
  writeState();
  const dashboard = dashboardWriter(pipeline, log);
  await dashboard.write();
  const poll = setInterval(() => {
    void dashboard.writeIfPublished();
    writeState();
  }, options.dashboardPollMs ?? DASHBOARD_POLL_MS);
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    clearInterval(poll);
    await server.close();
    await pipeline.direct.flush();
    await pipeline.devices.flush();
    await settle(pipeline);
    await dashboard.write();
    await dashboard.close();
    await persistDlqs(pipeline);
    await pipeline.close();
    removeDevState(options.dataDir);
  };
  return {
    url: server.url,
    pipeline,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/** Messages waiting (visible), being processed (in flight) and dead-lettered, per hand-off queue. */
function depths(pipeline: LocalPipeline) {
  return Object.fromEntries(
    queueEntries(pipeline.queues).map(([name, { queue, dlq }]) => {
      const stats = queue.stats();
      const dead = dlq.stats();
      return [name, { visible: stats.visible, inFlight: stats.inFlight, dlq: dead.visible + dead.inFlight }];
    }),
  );
}

/** Writes the dashboard now, or when reports/index.json changed since the last write; one write at a time. */
function dashboardWriter(pipeline: LocalPipeline, log: (text: string) => void) {
  const indexFile = objectPath(pipeline.dataDir, { bucket: localBucketNames.reporting, key: reportIndexKey() });
  const connection = pipeline.instance.connect();
  let lastSeen = '';
  let writing: Promise<void> = Promise.resolve();
  const published = () => {
    const info = statSync(indexFile, { throwIfNoEntry: false });
    return info === undefined ? '' : `${info.mtimeMs}:${info.size}`;
  };
  const write = (onlyIfPublished: boolean) => {
    writing = writing.then(async () => {
      const seen = published();
      if (onlyIfPublished && seen === lastSeen) return;
      lastSeen = seen;
      await writeDashboard(await connection, pipeline.dataDir, pipeline.catalogue).catch((error: unknown) => {
        log(`dashboard not written: ${(error as Error).message}`);
      });
    });
    return writing;
  };
  return {
    write: () => write(false),
    writeIfPublished: () => write(true),
    close: async () => {
      await writing;
      (await connection).closeSync();
    },
  };
}

/** A second Ctrl-C within this time of the first is ignored; after it, it exits at once. */
export const FORCE_EXIT_GRACE_MS = 3_000;

export async function runDev(options: { port: number; dataDir?: string | undefined }): Promise<number> {
  const { port } = options;
  const dataDir = options.dataDir === undefined ? defaultDataDir() : path.resolve(options.dataDir);
  const starting = startDev({ dataDir, port });
  // Listening before anything is printed: a Ctrl-C right after the banner must stop cleanly too.
  const stopped = untilSignal(async () => (await starting).stop(), {
    graceMs: FORCE_EXIT_GRACE_MS,
    write: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
  });
  let session: DevSession;
  try {
    session = await starting;
  } catch (error) {
    console.error(`eventlake dev: ${(error as Error).message}`);
    return 1;
  }
  console.log(banner(session.url, dataDir, port));
  return stopped;
}

function banner(url: string, dataDir: string, port: number): string {
  const keys = Object.entries(config.local.apiKeys);
  const [firstKey = ''] = keys[0] ?? [];
  const endpoint = port === config.local.port ? '' : ` --endpoint ${url}`;
  return [
    `eventlake dev — the local stack is running (data in ${dataDir}, kept between runs)`,
    '',
    `  ingest     POST ${url}/v1/events   (header x-api-key)`,
    `  health     GET  ${url}/v1/health`,
    `  dashboard       ${url}/   (refreshes itself as reports are published)`,
    '',
    '  local API keys (x-api-key → app):',
    ...keys.map(([key, app]) => `    ${key.padEnd(22)} → ${app}`),
    '',
    '  send traffic:',
    `    EVENTLAKE_API_KEY=${firstKey} npx eventlake send --events 1000${endpoint}`,
    '  query the lake, see what runs:',
    `    npx eventlake query "SELECT event_type, count(*) AS n FROM events GROUP BY 1"`,
    `    npx eventlake status${dataDir === defaultDataDir() ? '' : ` --data-dir ${dataDir}`}`,
    '',
    `Ctrl-C stops cleanly (buffers flushed, pipeline settled); pressed again after ${FORCE_EXIT_GRACE_MS / 1000} s it exits at once.`,
  ].join('\n');
}
