// What the local EventBridge keeps on disk, <dataDir>/_eventbridge/state.json, so a restart loses
// nothing Lambda's async event queue would keep: the deliveries not yet done (each with its attempt
// and when it is due), the on-failure records, and the retry chains with the failed Glue runs a
// pending retry still has to read (the local Glue job keeps its runs in memory only). One small JSON
// file, replaced atomically and durably (temp file, fsync, rename, fsync of the directory).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import { writeFileDurablySync } from '../pipeline/durable-files.js';

export type BusEvent = EventBridgeEvent<string, unknown>;

/** One event on its way to one rule's target, as Lambda's async queue holds it. */
export interface PersistedDelivery {
  id: string;
  rule: string;
  event: BusEvent;
  /** The attempt to make next: 1, then 2 and 3 after Lambda's retry delays. */
  attempt: number;
  /** Epoch ms (wall clock) when that attempt is due. */
  dueAt: number;
}

/** What Lambda sends to an on-failure destination once every attempt of an async invoke failed. */
export interface OnFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetriesExhausted';
    approximateInvokeCount: number;
  };
  requestPayload: BusEvent;
  responseContext: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload: { errorType: string; errorMessage: string };
}

/** A failed Glue run as GetJobRun answers it (dates as ISO strings). */
export interface StoredJobRun {
  Id: string;
  JobName: string;
  JobRunState: string;
  Arguments: Record<string, string>;
  ErrorMessage?: string;
  StartedOn?: string;
  CompletedOn?: string;
}

export type ChainState = 'retrying' | 'recovered' | 'abandoned';

/** One retry chain: a failed run or query and the retries of it, by the id of its first run. */
export interface ChainRecord {
  target: 'glue' | 'athena';
  chainId: string;
  /** Ids of the chain's runs (or queries) that failed, oldest first. */
  failed: string[];
  /** Retries started so far (the attempt of the last one). */
  retries: number;
  maxRetries: number;
  state: ChainState;
  /** Why it was given up (abandoned only). */
  reason?: string;
  /** The last failure's error message. */
  error?: string;
  /** The Glue retry started last, while it runs: a run the process died with is resumed as failed. */
  running?: { id: string; arguments: Record<string, string> };
  updatedAt: string;
}

export interface BusState {
  version: 1;
  deliveries: PersistedDelivery[];
  failures: OnFailureRecord[];
  /** Failed Glue runs a pending delivery refers to, by run id. */
  runs: Record<string, StoredJobRun>;
  chains: ChainRecord[];
}

export const emptyBusState = (): BusState => ({ version: 1, deliveries: [], failures: [], runs: {}, chains: [] });

export const busStateFile = (dataDir: string): string => path.join(dataDir, '_eventbridge', 'state.json');

/** The state on disk: empty when there is none; an unreadable file is an error, never silently reset. */
export function readBusState(dataDir: string): BusState {
  let text: string;
  try {
    text = readFileSync(busStateFile(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyBusState();
    throw error;
  }
  const state = JSON.parse(text) as BusState;
  if (state.version !== 1 || !Array.isArray(state.deliveries) || !Array.isArray(state.chains)) {
    throw new Error(`${busStateFile(dataDir)} is not a version 1 EventBridge state`);
  }
  return { ...emptyBusState(), ...state };
}

/** The state of one bus; `save()` writes it when the bus has a data directory, and is a no-op otherwise. */
export class BusStore {
  readonly state: BusState;
  readonly #file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.#file = dataDir === undefined ? undefined : busStateFile(dataDir);
    this.state = dataDir === undefined ? emptyBusState() : readBusState(dataDir);
    // Once, here: a save after the data directory was removed fails rather than recreating it.
    if (this.#file !== undefined) mkdirSync(path.dirname(this.#file), { recursive: true });
  }

  get durable(): boolean {
    return this.#file !== undefined;
  }

  save(): void {
    if (this.#file !== undefined) writeFileDurablySync(this.#file, `${JSON.stringify(this.state)}\n`);
  }
}
