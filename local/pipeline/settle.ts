// Runs the local pipeline until nothing is left to do: every buffer flushed, every queue drained,
// no Glue run or Athena query in flight, and a full pass that started no new work.
import type { LocalPipeline } from './pipeline.js';
import { queueEntries } from './queues.js';

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
    const now = activity(p);
    if (now === previous) return;
    previous = now;
  }
}
