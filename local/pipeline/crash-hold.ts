// Holds for the crash ledger (`eventlake crash`, local/tools/chaos/crash-points.ts): a moment inside a
// run that is too short to hit by polling from outside — between a rewrite's new generation and its
// switch, between the switch and the run marker, between the cadence gate's claim and StartJobRun —
// is held open instead. EVENTLAKE_CRASH_HOLD names the moment; the child writes
// `<dataDir>/_dev/crash-holds/held-<moment>-<pid>` when it gets there and waits, so the parent SIGKILLs it
// exactly there. Unset (always, outside the crash run), nothing changes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { StartJobRun } from '#shared/ports.js';
import type { PipelineFaults } from './pipeline.js';

export const crashHolds = ['before-switch', 'after-switch', 'before-start'] as const;
export type CrashHold = (typeof crashHolds)[number];

export const crashHoldDir = (dataDir: string): string => path.join(dataDir, '_dev', 'crash-holds');

/** How long a hold waits for the SIGKILL before it lets the process go on (a missed moment is reported as such). */
const HOLD_MS = 60_000;

function hold(dataDir: string, moment: CrashHold): Promise<void> {
  mkdirSync(crashHoldDir(dataDir), { recursive: true });
  writeFileSync(path.join(crashHoldDir(dataDir), `held-${moment}-${process.pid}`), new Date().toISOString());
  return new Promise((resolve) => setTimeout(resolve, HOLD_MS));
}

/** The faults that hold the moment named by EVENTLAKE_CRASH_HOLD, merged into the given ones (first arrival only). */
export function withCrashHold(dataDir: string, faults: PipelineFaults, env = process.env): PipelineFaults {
  const moment = env.EVENTLAKE_CRASH_HOLD;
  if (moment === undefined || moment === '') return faults;
  if (!(crashHolds as readonly string[]).includes(moment)) {
    throw new Error(`EVENTLAKE_CRASH_HOLD must be one of ${crashHolds.join(', ')}`);
  }
  let held = false;
  const once = async (name: CrashHold): Promise<void> => {
    if (name !== moment || held) return;
    held = true;
    await hold(dataDir, name);
  };
  const startJobRun = (port: StartJobRun): StartJobRun => {
    const inner = faults.startJobRun?.(port) ?? port;
    return async (args) => {
      await once('before-start');
      return inner(args);
    };
  };
  return {
    ...faults,
    startJobRun,
    glue: {
      ...faults.glue,
      beforeGenerationSwitch: async () => {
        await faults.glue?.beforeGenerationSwitch?.();
        await once('before-switch');
      },
      afterGenerationSwitch: async () => {
        await faults.glue?.afterGenerationSwitch?.();
        await once('after-switch');
      },
    },
  };
}
