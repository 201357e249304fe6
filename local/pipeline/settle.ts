// Runs the local pipeline until nothing is left to do: every buffer flushed, every queue drained,
// no Glue run or Athena query in flight, and a full pass that started no new work.
import { parseGateState } from '#shared/lake/gate-state.js';
import { gateStateKey } from '#shared/lake/keys.js';
import { localBucketNames } from '../s3/buckets.js';
import type { LocalPipeline } from './pipeline.js';
import { queueEntries } from './queues.js';

/** Objects the cadence gate still holds: pending, or in a claim whose run has not started (a refused start). */
async function gateHolds(p: LocalPipeline): Promise<number> {
  const body = await p.s3.getObject({ bucket: localBucketNames.lake, key: gateStateKey() }).catch(() => undefined);
  const state = parseGateState(body);
  return state.pending.length + state.claims.reduce((sum, claim) => sum + claim.objects.length, 0);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const activity = (p: LocalPipeline): string =>
  JSON.stringify([
    [p.direct.stats().recordsIn, p.devices.stats().recordsIn],
    queueEntries(p.queues).map(([, { queue }]) => queue.stats().sent),
    p.glue.runs().length,
    p.startedQueries.length,
    p.bus.failures().length,
  ]);

export async function settle(p: LocalPipeline, onPass: (pass: number) => void = () => {}): Promise<void> {
  let previous = '';
  let unchanged = 0;
  for (let pass = 1; ; pass++) {
    await p.direct.flush();
    await p.devices.flush();
    for (const [, { queue }] of queueEntries(p.queues)) await queue.drain();
    // Like the Firehose flush above: what the cadence gate holds starts now rather than at its delay.
    await p.gate.flush();
    await p.glue.idle();
    await p.athena.idle();
    await p.bus.idle();
    onPass(pass);
    const held = await gateHolds(p);
    const now = `${activity(p)}${held}`;
    // A claim whose start was refused is leased again once stale: keep passing until the gate is empty.
    unchanged = now === previous ? unchanged + 1 : 0;
    if (unchanged > 0 && (held === 0 || unchanged > 400)) return;
    if (held > 0) await pause(50);
    previous = now;
  }
}
