// Durable acks against acknowledging from memory, in one bench run: the same requests (500 ~1 KB
// events each, 4 in flight) through the ingest λ into a fresh local pipeline, timed from the first
// request until every record is in a raw object (the direct stream flushed) — the part of the
// pipeline the journal is on. Runs alternate (memory, durable, memory, durable) and each mode keeps
// its faster run, so a burst of load from other processes on the machine does not decide the ratio.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { benchRequests } from './pipeline-traffic.js';
import type { BenchResult } from './types.js';

const context = { getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
const CONCURRENCY = 4;
const ROUNDS = 2;

async function ingestRun(
  events: number,
  durableAcks: boolean,
): Promise<{ seconds: number; appends: number; syncs: number }> {
  const { config } = await import('#shared/config.js');
  const { makeIngestHandler } = await import('../functions/ingest.js');
  const { localAppResolver } = await import('#shared/ingest/apps.js');
  const { startLocalPipeline } = await import('../local/pipeline/pipeline.js');
  const { nextTurn } = await import('../local/pipeline/clock.js');
  const { settle } = await import('../local/pipeline/settle.js');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-bench-acks-'));
  const p = await startLocalPipeline({ dataDir, timeScale: 0.1, durableAcks });
  const ingest = makeIngestHandler({
    putRecords: p.putRecords,
    resolveApp: localAppResolver(config.local.apiKeys),
    report: () => {},
  });
  try {
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (const request of benchRequests(events, 7)) {
      while (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
      await nextTurn();
      const call = ingest(request.event, context).then((response) => {
        if (response.statusCode !== 200) throw new Error(`ingest answered ${response.statusCode}`);
      });
      const tracked = call.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
    await p.direct.flush();
    const seconds = (performance.now() - started) / 1000;
    const { journalAppends, journalSyncs } = p.direct.stats();
    // Untimed: the Glue runs and reports the raw objects started finish before the directory goes.
    await settle(p);
    return { seconds, appends: journalAppends, syncs: journalSyncs };
  } finally {
    await p.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function durableAcksComparison(events: number): Promise<BenchResult> {
  const best = { memory: Number.POSITIVE_INFINITY, durable: Number.POSITIVE_INFINITY };
  let journal = { appends: 0, syncs: 0 };
  for (let round = 0; round < ROUNDS; round += 1) {
    best.memory = Math.min(best.memory, (await ingestRun(events, false)).seconds);
    const durable = await ingestRun(events, true);
    best.durable = Math.min(best.durable, durable.seconds);
    journal = { appends: journal.appends + durable.appends, syncs: journal.syncs + durable.syncs };
  }
  const rate = (seconds: number) => Math.round(events / seconds);
  return {
    name: `pipeline: durable acks (journal + fdatasync per PutRecordBatch round) vs. acks from memory, ${events} events, ingest λ → raw objects, best of ${ROUNDS} alternating runs each`,
    figures: {
      'events/s durable': rate(best.durable),
      'events/s memory': rate(best.memory),
      'durable / memory': Math.round((best.memory / best.durable) * 1000) / 1000,
      'PutRecordBatch calls per fsync': Math.round((journal.appends / Math.max(1, journal.syncs)) * 100) / 100,
    },
    targets: { 'durable / memory': 0.9 },
  };
}
