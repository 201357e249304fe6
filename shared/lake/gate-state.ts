// The cadence gate's durable state, one JSON object in the lake bucket (`_gate/state.json`) changed
// only by conditional writes (If-None-Match to create, If-Match on the ETag read to update), so the
// announcements, claims and leases of concurrent invocations are each applied exactly once.
// Pure transitions here; the I/O is gate.ts. Reference: docs/lake.md "The cadence gate".
import { createHash, randomUUID } from 'node:crypto';
import { type CadenceSettings, decideRun, normalisePending, type PendingObject } from './cadence.js';

/** A set of objects one run has taken: moved out of `pending` in the same write that creates it. */
export interface Claim {
  id: string;
  /** Epoch ms of the claim, or of the last lease of a stale claim being started again. */
  claimedAt: number;
  objects: PendingObject[];
  reason: 'bytes' | 'delay' | 'flush' | 'recovery';
}

export interface GateState {
  version: 1;
  pending: PendingObject[];
  /** Claims whose run is not known to have started; removed once StartJobRun answered. */
  claims: Claim[];
}

export const emptyGateState = (): GateState => ({ version: 1, pending: [], claims: [] });

export function parseGateState(body: Uint8Array | undefined): GateState {
  if (body === undefined) return emptyGateState();
  const state = JSON.parse(Buffer.from(body).toString('utf8')) as GateState;
  if (state.version !== 1 || !Array.isArray(state.pending) || !Array.isArray(state.claims)) {
    throw new Error('_gate/state.json is not a version 1 gate state');
  }
  return state;
}

const objectId = (o: { bucket: string; key: string }): string => `${o.bucket}/${o.key}`;

/**
 * A claim's id: what it holds, when, and a nonce. Unique per claim, never reused, so an object's
 * `_gate/claimed/` marker names the one claim that converts it, even if the same object is claimed
 * again later (announced again) by a claim holding exactly the same objects.
 */
export const claimId = (objects: readonly PendingObject[], claimedAt: number, nonce = randomUUID()): string =>
  createHash('sha256')
    .update([...objects.map(objectId).sort(), String(claimedAt), nonce].join('\n'))
    .digest('hex')
    .slice(0, 32);

/** Adds announced objects not already pending or claimed (a re-announcement keeps the first time). */
export function announce(state: GateState, announced: readonly PendingObject[]): GateState {
  const known = new Set([...state.pending, ...state.claims.flatMap((c) => c.objects)].map(objectId));
  const fresh = announced.filter((o) => !known.has(objectId(o)));
  return { ...state, pending: normalisePending([...state.pending, ...fresh]) };
}

export interface Decision {
  state: GateState;
  /** Claims to start now: new ones, and stale ones this decision leased again. */
  toStart: Claim[];
}

export interface DecideOptions {
  now: number;
  settings: CadenceSettings;
  /** A claim not started after this long belongs to a dead invocation: lease it again. */
  staleClaimMs: number;
  /** At most this many new claims per decision. */
  maxNewClaims?: number;
  /** Start whatever is pending or claimed, whatever the thresholds (the local runtime's settle, an operator). */
  flush?: boolean;
}

/** Leases stale claims again and claims what the cadence decision says to start. Pure. */
export function decide(state: GateState, options: DecideOptions): Decision {
  const { now, settings, staleClaimMs } = options;
  const toStart: Claim[] = [];
  const claims = state.claims.map((claim) => {
    // A flush leases every claim: whatever is held starts now (a second start of a live claim reads nothing new).
    if (!options.flush && now - claim.claimedAt < staleClaimMs) return claim;
    const leased: Claim = { ...claim, claimedAt: now, reason: 'recovery' };
    toStart.push(leased);
    return leased;
  });
  let pending = state.pending;
  const effective = options.flush ? { ...settings, maxDelayMs: 0 } : settings;
  for (let n = 0; n < (options.maxNewClaims ?? 4); n++) {
    const decision = decideRun(pending, now, effective);
    if (!decision.start) break;
    const claim: Claim = {
      id: claimId(decision.objects, now),
      claimedAt: now,
      objects: decision.objects,
      reason: options.flush && decision.reason === 'delay' ? 'flush' : decision.reason,
    };
    claims.push(claim);
    toStart.push(claim);
    pending = decision.remaining;
  }
  return { state: { ...state, pending, claims }, toStart };
}

/** Drops a claim once its run started (or once none of its objects were left to convert). */
export const release = (state: GateState, id: string): GateState => ({
  ...state,
  claims: state.claims.filter((c) => c.id !== id),
});
