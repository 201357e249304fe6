// The retry part of `eventlake status`: failed Glue runs and report queries by chain (retrying,
// recovered, abandoned), the retries still pending and the retry λ's on-failure records, read from
// <dataDir>/_eventbridge/state.json only (works with or without a running dev).
import { type ChainRecord, readBusState } from './bus-state.js';

type Counts = Record<ChainRecord['state'], number>;

export interface RetryStatus {
  /** Chains per target and state. */
  chains: { glue: Counts; athena: Counts };
  /** The latest abandoned chains, newest first (at most 5). */
  abandoned: Pick<ChainRecord, 'target' | 'chainId' | 'retries' | 'reason' | 'error' | 'updatedAt'>[];
  /** Invocations of the retry λ queued or waiting for Lambda's next attempt. */
  pendingDeliveries: number;
  /** On-failure records (the retry DLQ). */
  onFailureRecords: number;
  /** Why the state could not be read, if it could not. */
  unreadable?: string;
}

const zero = (): Counts => ({ retrying: 0, recovered: 0, abandoned: 0 });

export function readRetryStatus(dataDir: string): RetryStatus {
  const status: RetryStatus = {
    chains: { glue: zero(), athena: zero() },
    abandoned: [],
    pendingDeliveries: 0,
    onFailureRecords: 0,
  };
  let state: ReturnType<typeof readBusState>;
  try {
    state = readBusState(dataDir);
  } catch (error) {
    return { ...status, unreadable: (error as Error).message };
  }
  for (const chain of state.chains) status.chains[chain.target][chain.state] += 1;
  status.abandoned = state.chains
    .filter((c) => c.state === 'abandoned')
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, 5)
    .map(({ target, chainId, retries, reason, error, updatedAt }) => ({
      target,
      chainId,
      retries,
      ...(reason === undefined ? {} : { reason }),
      ...(error === undefined ? {} : { error }),
      updatedAt,
    }));
  status.pendingDeliveries = state.deliveries.length;
  status.onFailureRecords = state.failures.length;
  return status;
}

const counts = (c: Counts): string =>
  c.retrying + c.recovered + c.abandoned === 0
    ? 'none'
    : `${c.retrying} retrying, ${c.recovered} recovered, ${c.abandoned} abandoned`;

/** Lines appended to the text of `eventlake status`. */
export function formatRetryStatus(status: RetryStatus): string {
  if (status.unreadable !== undefined) return `failed runs     unreadable: ${status.unreadable}\n`;
  const lines = [
    `failed runs     Glue ${counts(status.chains.glue)}; report queries ${counts(status.chains.athena)}`,
    ...status.abandoned.map(
      (c) =>
        `  abandoned     ${c.target === 'glue' ? 'Glue run' : 'query'} chain ${c.chainId} after ${c.retries} retries` +
        ` (${c.reason ?? 'given up'})${c.error === undefined ? '' : `: ${c.error.slice(0, 120)}`}, ${c.updatedAt}`,
    ),
    `retries         ${status.pendingDeliveries} pending, ${status.onFailureRecords} on-failure records (retry DLQ)`,
  ];
  return `${lines.join('\n')}\n`;
}
