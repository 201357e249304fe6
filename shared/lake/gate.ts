// The cadence gate's I/O: record announced raw objects in `_gate/state.json`, claim and lease in
// the same conditional write, then make each claim's objects its own (`_gate/claimed/<bucket>/<key>`,
// If-None-Match) and start one Glue run for them. start-parquet-job calls it for every SQS batch and
// every scheduled tick; the local runtime the same way. Reference: docs/lake.md "The cadence gate".
import { lostConditionalRace, updateObject } from '../aws/conditional-writes.js';
import type { GetObject, GetObjectWithETag } from '../ports.js';
import type { CadenceSettings, PendingObject } from './cadence.js';
import { announce, type Claim, decide, parseGateState, release } from './gate-state.js';
import { claimedObjectKey, gateStateKey } from './keys.js';
import { type ParquetJobPorts, type PlannedRun, planParquetRuns, startParquetRun } from './parquet-job-batch.js';

export interface GatePorts extends ParquetJobPorts {
  getObject: GetObject;
  getObjectWithETag: GetObjectWithETag;
  /** Epoch ms on the caller's clock (the local runtime's, or a simulated one). */
  now: () => number;
  settings: CadenceSettings;
  staleClaimMs: number;
}

export interface StartedClaim {
  claim: Claim;
  jobRunId: string;
  run: PlannedRun;
}

export interface GateOutcome {
  started: StartedClaim[];
  /** Claims whose run did not start: they stay in the state and are leased again once stale. */
  failed: { claim: Claim; error: unknown }[];
  /** Objects of started claims that an earlier claim already owned (announced again): not converted twice. */
  alreadyClaimed: number;
  pendingObjects: number;
  pendingBytes: number;
}

const json = 'application/json';

/** Records `announced`, decides, and starts every claim the decision made or leased again. */
export async function runGate(
  announced: readonly PendingObject[],
  ports: GatePorts,
  options: { flush?: boolean } = {},
): Promise<GateOutcome> {
  const stateRef = { bucket: ports.lakeBucket, key: gateStateKey() };
  const now = ports.now();
  const { result } = await updateObject(
    stateRef,
    (body) => {
      const before = parseGateState(body);
      const decision = decide(announce(before, announced), {
        now,
        settings: ports.settings,
        staleClaimMs: ports.staleClaimMs,
        flush: options.flush ?? false,
      });
      const text = JSON.stringify(decision.state);
      return body !== undefined && text === Buffer.from(body).toString('utf8')
        ? { result: decision }
        : { body: text, result: decision };
    },
    ports,
    { contentType: json },
  );
  const outcome: GateOutcome = {
    started: [],
    failed: [],
    alreadyClaimed: 0,
    pendingObjects: result.state.pending.length,
    pendingBytes: result.state.pending.reduce((sum, o) => sum + o.bytes, 0),
  };
  for (const claim of result.toStart) {
    try {
      const { kept, started } = await startClaim(claim, ports);
      outcome.alreadyClaimed += claim.objects.length - kept;
      outcome.started.push(...started);
      await updateObject(
        stateRef,
        (body) => ({ body: JSON.stringify(release(parseGateState(body), claim.id)), result: 0 }),
        ports,
        {
          contentType: json,
        },
      );
    } catch (error) {
      outcome.failed.push({ claim, error });
    }
  }
  return outcome;
}

/**
 * Makes the claim's objects its own (a marker per object, created once; one already holding this
 * claim's id is ours from an earlier attempt), then starts one run for those. An object whose
 * marker names another claim was converted by that claim: it is left out, never converted twice.
 */
async function startClaim(claim: Claim, ports: GatePorts): Promise<{ kept: number; started: StartedClaim[] }> {
  const kept: PendingObject[] = [];
  for (const object of claim.objects) {
    const marker = { bucket: ports.lakeBucket, key: claimedObjectKey(object) };
    try {
      await ports.putObject(marker, claim.id, 'text/plain', { ifNoneMatch: '*' });
      kept.push(object);
    } catch (error) {
      if (!lostConditionalRace(error)) throw error;
      const owner = Buffer.from(await ports.getObject(marker)).toString('utf8');
      if (owner === claim.id) kept.push(object);
    }
  }
  const started: StartedClaim[] = [];
  for (const run of planParquetRuns([{ messageId: claim.id, objects: kept }])) {
    started.push({ claim, run, jobRunId: await startParquetRun(run, ports) });
  }
  return { kept: kept.length, started };
}
