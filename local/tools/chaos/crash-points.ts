// Where the crash run kills the dev process, in order. Each point says whether traffic is sent first
// and what the data directory must show before the SIGKILL (polled with a deadline; a point whose
// moment never came within it is still killed, and reported as missed). Points read only files.
// Moments too short to catch by polling are held open by the child itself (local/pipeline/crash-hold.ts,
// EVENTLAKE_CRASH_HOLD): it writes a file when it gets there and waits for the SIGKILL.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { config } from '#shared/config.js';
import { type CrashHold, crashHoldDir } from '../../pipeline/crash-hold.js';
import { lockFile } from '../../pipeline/lock.js';
import { localJobName } from '../../pipeline/wiring.js';
import { localBucketNames } from '../../s3/buckets.js';

export type KillMoment =
  /** While requests are in flight: after `afterAcks` answers, the others still open. */
  | { kind: 'midRequest'; afterAcks: number }
  /** Right after the last answer of the traffic. */
  | { kind: 'afterLastAck' }
  /** When a file count under the data directory grows past what it was when the round began. */
  | { kind: 'filesGrow'; what: (dataDir: string) => number }
  /** While the restarted process is still starting (it holds the lock, it does not listen yet). */
  | { kind: 'starting' }
  /** Right after the restarted process listens (queues restored, consumers running). */
  | { kind: 'listening' }
  /** During the clean stop: SIGTERM, then SIGKILL `afterMs` later (a second, impatient signal). */
  | { kind: 'duringStop'; afterMs: number };

export interface CrashPoint {
  name: string;
  traffic: boolean;
  moment: KillMoment;
  /** A moment the child holds open (EVENTLAKE_CRASH_HOLD) until it is killed. */
  hold?: CrashHold;
}

/**
 * Every child of the crash run compacts at every chance: with openMaxFiles 1, each run into a
 * partition that already has a file rewrites it into a new generation, so the rewrites, switches and
 * deletions of superseded generations happen under every crash point, not only the held ones.
 */
export const crashChildCompaction = { openMaxFiles: 1 } as const;

const files = (dir: string, keep: (name: string) => boolean = () => true): number => {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => keep(path.basename(f))).length;
};
const bucket = (dataDir: string, name: keyof typeof localBucketNames, prefix: string) =>
  path.join(dataDir, localBucketNames[name], ...prefix.split('/').filter(Boolean));
const isData = (name: string) => !/^[_.]/.test(name);

export const rawObjects = (dataDir: string) =>
  files(bucket(dataDir, 'ingest', config.prefixes.events), (n) => isData(n) && n.endsWith('.gz'));
const glueStaging = (dataDir: string) => files(path.join(dataDir, '_glue', localJobName, 'staging'));
const holdsReached = (dataDir: string) => files(crashHoldDir(dataDir));
const runMarkers = (dataDir: string) => files(bucket(dataDir, 'lake', config.prefixes.runMarkers), isData);
const athenaResults = (dataDir: string) =>
  files(bucket(dataDir, 'reporting', config.prefixes.reportResults), (n) => n.endsWith('.csv'));

/** The lock names the child: it is inside startLocalPipeline (journal replay, queue restore, re-announce). */
export const holdsLock = (dataDir: string, pid: number): boolean => {
  try {
    return (JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as { pid: number }).pid === pid;
  } catch {
    return false;
  }
};

export const crashPoints: readonly CrashPoint[] = [
  { name: 'mid-request', traffic: true, moment: { kind: 'midRequest', afterAcks: 2 } },
  { name: 'right after the last 200', traffic: true, moment: { kind: 'afterLastAck' } },
  { name: 'during journal replay on restart', traffic: false, moment: { kind: 'starting' } },
  { name: 'mid-flush (raw objects being written)', traffic: true, moment: { kind: 'filesGrow', what: rawObjects } },
  { name: 'mid-Glue-run (staging written)', traffic: true, moment: { kind: 'filesGrow', what: glueStaging } },
  {
    name: 'gate: claimed, not started',
    traffic: true,
    moment: { kind: 'filesGrow', what: holdsReached },
    hold: 'before-start',
  },
  {
    name: 'compaction: written, not switched',
    traffic: true,
    moment: { kind: 'filesGrow', what: holdsReached },
    hold: 'before-switch',
  },
  {
    name: 'compaction: switched, no marker',
    traffic: true,
    moment: { kind: 'filesGrow', what: holdsReached },
    hold: 'after-switch',
  },
  { name: 'during SQS redelivery on restart', traffic: false, moment: { kind: 'listening' } },
  { name: 'between a run and its reports', traffic: true, moment: { kind: 'filesGrow', what: runMarkers } },
  { name: 'mid-reports (Athena results written)', traffic: true, moment: { kind: 'filesGrow', what: athenaResults } },
  { name: 'SIGKILL during the clean stop', traffic: true, moment: { kind: 'duringStop', afterMs: 50 } },
];
