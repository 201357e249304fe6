// The server side of `eventlake load`: every 100 ms, the process's RSS, the direct delivery stream's
// backlog and S3 buffers, the deepest pipeline queue, the HTTP requests in flight and how late the
// sample itself ran (event-loop lag) — peaks per stage and over the whole run.
import type { RunningServer } from '../../apigateway/server.js';
import type { LocalPipeline } from '../../pipeline/pipeline.js';
import { queueEntries } from '../../pipeline/queues.js';

export interface ServerPeaks {
  samples: number;
  rssBytes: number;
  backlogBytes: number;
  bufferedBytes: number;
  queueDepth: number;
  httpInFlight: number;
  loopLagMs: number;
}

export interface Sampler {
  /** Peaks since the previous cut; starts a new window. */
  cut(): ServerPeaks;
  overall(): ServerPeaks;
  stop(): void;
}

const empty = (): ServerPeaks => ({
  samples: 0,
  rssBytes: 0,
  backlogBytes: 0,
  bufferedBytes: 0,
  queueDepth: 0,
  httpInFlight: 0,
  loopLagMs: 0,
});

function queueDepth(p: LocalPipeline): number {
  let deepest = 0;
  for (const [, pair] of queueEntries(p.queues)) {
    for (const queue of [pair.queue, pair.dlq]) {
      const { visible, inFlight } = queue.stats();
      deepest = Math.max(deepest, visible + inFlight);
    }
  }
  return deepest;
}

export function startSampler(p: LocalPipeline, server: RunningServer, everyMs = 100): Sampler {
  let window = empty();
  const all = empty();
  let last = performance.now();
  const sample = () => {
    const now = performance.now();
    const direct = p.direct.stats();
    const seen: Omit<ServerPeaks, 'samples'> = {
      rssBytes: process.memoryUsage.rss(),
      backlogBytes: direct.backlogBytes,
      bufferedBytes: direct.bufferedBytes,
      queueDepth: queueDepth(p),
      httpInFlight: server.stats().inFlight,
      loopLagMs: Math.max(0, Math.round(now - last - everyMs)),
    };
    last = now;
    for (const peaks of [window, all]) {
      peaks.samples += 1;
      for (const key of Object.keys(seen) as (keyof typeof seen)[]) peaks[key] = Math.max(peaks[key], seen[key]);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    cut: () => {
      sample();
      const peaks = window;
      window = empty();
      return peaks;
    },
    overall: () => ({ ...all }),
    stop: () => clearInterval(timer),
  };
}
