// `npm run dev`: the long-running local stack — the ingest API on 127.0.0.1, the pipeline moving on
// its own timers (Firehose buffer intervals, queue batching windows, all scaled), and the dashboard
// rewritten whenever new reports are published. Ctrl-C stops it cleanly: no new requests, buffers
// flushed, the pipeline settled, the dashboard written one last time. A second Ctrl-C exits at once.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { config } from '#shared/config.js';
import { reportIndexKey } from '#shared/lake/keys.js';
import { startIngestServer } from '../apigateway/ingest-server.js';
import { writeDashboard } from '../dashboard/dashboard.js';
import { type LocalPipeline, startLocalPipeline } from '../pipeline/pipeline.js';
import { settle } from '../pipeline/settle.js';
import { defaultDataDir, localBucketNames, objectPath } from '../s3/buckets.js';
import { persistDlqs } from '../sqs/dlq-store.js';

export const devHelp = `eventlake dev [--port N] [--data-dir DIR]

Runs the local stack until Ctrl-C: POST /v1/events with a local API key, GET /v1/health, and the
dashboard at / (rewritten as reports are published). The data directory (default
$EVENTLAKE_DATA_DIR or ${config.local.dataDir}) is kept between runs. Port default ${config.local.port}; 0 picks a free one.`;

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
  const dashboard = dashboardWriter(pipeline, log);
  await dashboard.write();
  const poll = setInterval(() => void dashboard.writeIfPublished(), options.dashboardPollMs ?? DASHBOARD_POLL_MS);
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

export async function runDev(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(devHelp);
    return 0;
  }
  const port = Number(values.port ?? config.local.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`eventlake dev: --port must be 0–65535, got ${values.port}\n\n${devHelp}`);
    return 2;
  }
  const dataDir = values['data-dir'] === undefined ? defaultDataDir() : path.resolve(values['data-dir']);
  const starting = startDev({ dataDir, port });
  // Listening before anything is printed: a Ctrl-C right after the banner must stop cleanly too.
  const stopped = untilSignal(starting);
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

/** Resolves with the exit code after the first SIGINT/SIGTERM's clean stop; a second signal exits at once. */
function untilSignal(session: Promise<DevSession>): Promise<number> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) process.exit(130);
      process.stderr.write(`\n${signal}: stopping — flushing buffers and settling the pipeline (again to exit now)\n`);
      session
        .then((s) => s.stop())
        .then(
          () => {
            process.stderr.write('stopped cleanly\n');
            resolve(0);
          },
          (error: unknown) => {
            process.stderr.write(`stop failed: ${(error as Error).stack ?? String(error)}\n`);
            resolve(1);
          },
        );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
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
    `    EVENTLAKE_API_KEY=${firstKey} npx tsx local/cli/main.ts send --events 1000${endpoint}`,
    '  query the lake:',
    `    npx tsx local/cli/main.ts query "SELECT event_type, count(*) AS n FROM events GROUP BY 1"`,
    '',
    'Ctrl-C stops cleanly (buffers flushed, pipeline settled); press it twice to exit at once.',
  ].join('\n');
}
