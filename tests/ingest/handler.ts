// The ingest handler under test: wired with a fake Firehose, the local key map and a fake clock
// that sleeping advances, so retry budgets run instantly.
import './env.js';
import { localAppResolver } from '#shared/ingest/apps.js';
import type { IngestReport } from '#shared/ingest/report.js';
import { type IngestDeps, makeIngestHandler } from '../../functions/ingest.js';
import { API_KEY, APP_ID, type FakeFirehose, fakeFirehose, lambdaContext, NOW_MS } from './support.js';

export interface Harness {
  firehose: FakeFirehose;
  reports: IngestReport[];
  sleeps: number[];
  invoke: (
    event: Parameters<ReturnType<typeof makeIngestHandler>>[0],
    remainingMs?: number,
  ) => ReturnType<ReturnType<typeof makeIngestHandler>>;
}

export function harness(firehose: FakeFirehose = fakeFirehose(), overrides: Partial<IngestDeps> = {}): Harness {
  let clock = NOW_MS;
  const reports: IngestReport[] = [];
  const sleeps: number[] = [];
  const handler = makeIngestHandler({
    putRecords: firehose.putRecords,
    resolveApp: localAppResolver({ [API_KEY]: APP_ID }),
    now: () => clock,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    report: (r) => reports.push(r),
    ...overrides,
  });
  return {
    firehose,
    reports,
    sleeps,
    invoke: (event, remainingMs = 20_000) =>
      handler(
        event,
        lambdaContext(remainingMs, () => clock),
      ),
  };
}
