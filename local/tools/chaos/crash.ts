// The crash ledger (`eventlake crash`): the dev stack runs as a child process on its own data
// directory; this process sends traffic and keeps every acknowledged event_id; the child is SIGKILLed
// at each crash point (crash-points.ts) and started again; a last start settles and stops cleanly.
// Then every acknowledged id is classified from the lake: lost (nowhere), stranded (in the raw zone
// or a journal, not curated / failed / late), doubled (more than one curated row). Target: 0, 0, 0.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DevChild, devLogFile, spawnDev, waitFor } from './crash-child.js';
import { type CrashPoint, crashChildCompaction, crashPoints, holdsLock } from './crash-points.js';
import { type AckLedger, newLedger, sendTraffic } from './crash-traffic.js';
import { type CrashVerdict, classify } from './crash-verdict.js';

export interface CrashOptions {
  /** Events sent before each crash point that sends traffic. */
  eventsPerPoint: number;
  batchSize?: number;
  inFlight?: number;
  /** Data directory (emptied first); default a fresh temporary one, removed when clean. */
  dataDir?: string;
  /** How long a point waits for its moment before killing anyway (real ms). */
  momentDeadlineMs?: number;
  log?: (line: string) => void;
}

export interface PointOutcome {
  name: string;
  /** Whether the moment came before the SIGKILL (otherwise it was killed at the deadline). */
  hit: boolean;
  acknowledged: number;
  seconds: number;
}

export interface CrashReport extends CrashVerdict {
  dataDir: string;
  points: PointOutcome[];
  /** Exit code of the last, clean stop (0 = "stopped cleanly"). */
  finalExitCode: number | null;
  requests: number;
  cutOff: number;
  seconds: number;
}

export async function runCrash(options: CrashOptions): Promise<CrashReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'eventlake-crash-'));
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const ledger = newLedger();
  const points: PointOutcome[] = [];
  for (const point of crashPoints) {
    const before = ledger.acknowledged.size;
    const t0 = performance.now();
    const hit = await crashAt(point, dataDir, ledger, options);
    const outcome = {
      name: point.name,
      hit,
      acknowledged: ledger.acknowledged.size - before,
      seconds: (performance.now() - t0) / 1000,
    };
    points.push(outcome);
    log(`  ${hit ? 'killed' : 'killed (moment missed)'} ${point.name}: +${outcome.acknowledged} acknowledged`);
  }
  log('  last start: settling, then a clean stop');
  const last = spawnDev(dataDir, devLogFile(dataDir), childEnv());
  await last.listening();
  const finalExitCode = await stopWithin(last, FINAL_STOP_MS, log);
  const verdict = await classify(dataDir, ledger.acknowledged);
  return {
    ...verdict,
    dataDir,
    points,
    finalExitCode,
    requests: ledger.requests,
    cutOff: ledger.cutOff,
    seconds: (performance.now() - started) / 1000,
  };
}

/** How long the last, clean stop may take (flush and settle) before the child is killed and the run fails. */
const FINAL_STOP_MS = 180_000;

/** SIGTERM, then the exit code; a child still alive after `ms` (its stop failed or hangs) is SIGKILLed: null. */
async function stopWithin(child: DevChild, ms: number, log: (line: string) => void): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([child.stop(), late]);
  clearTimeout(timer);
  if (outcome !== 'late') return outcome;
  log(`  the clean stop did not end within ${ms / 1000} s: killed (see ${devLogFile(child.dataDir)})`);
  await child.kill();
  return null;
}

/** One crash point: start the child, send traffic, wait for the moment, SIGKILL. Says whether the moment came. */
/** The children's environment: compaction at every chance, and the point's held moment if it has one. */
const childEnv = (point?: CrashPoint): Record<string, string> => ({
  EVENTLAKE_COMPACTION: JSON.stringify(crashChildCompaction),
  EVENTLAKE_CRASH_HOLD: point?.hold ?? '',
});

async function crashAt(point: CrashPoint, dataDir: string, ledger: AckLedger, o: CrashOptions): Promise<boolean> {
  const child = spawnDev(dataDir, devLogFile(dataDir), childEnv(point));
  const deadline = o.momentDeadlineMs ?? 20_000;
  const { moment } = point;
  try {
    if (moment.kind === 'starting') return await waitFor(() => holdsLock(dataDir, child.pid), 120_000);
    const url = await child.listening();
    if (moment.kind === 'listening') return true;
    const baseline = moment.kind === 'filesGrow' ? moment.what(dataDir) : 0;
    const batchSize = o.batchSize ?? 50;
    const traffic = {
      batches: Math.max(1, Math.ceil(o.eventsPerPoint / batchSize)),
      batchSize,
      inFlight: o.inFlight ?? 4,
    };
    if (moment.kind === 'midRequest') return await killMidRequest(child, url, traffic, moment.afterAcks, ledger);
    if (point.traffic) await sendTraffic(url, traffic, ledger);
    if (moment.kind === 'afterLastAck') return true;
    if (moment.kind === 'duringStop') {
      void child.stop();
      await new Promise((resolve) => setTimeout(resolve, moment.afterMs));
      return true;
    }
    return await waitFor(() => moment.what(dataDir) > baseline, deadline);
  } finally {
    await child.kill();
  }
}

/** Kills the child from inside the traffic, once `afterAcks` requests were answered and others are open. */
async function killMidRequest(
  child: DevChild,
  url: string,
  traffic: { batches: number; batchSize: number; inFlight: number },
  afterAcks: number,
  ledger: AckLedger,
): Promise<boolean> {
  let killed: Promise<void> | undefined;
  const batches = Math.max(traffic.batches, afterAcks + traffic.inFlight);
  await sendTraffic(url, { ...traffic, batches }, ledger, (answered) => {
    if (answered >= afterAcks) killed ??= child.kill();
  });
  await killed;
  return ledger.cutOff > 0;
}
