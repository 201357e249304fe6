// The running dev process's state file, <dataDir>/_dev/state.json: pid, port, URL and start time,
// written once it listens and removed when it stops cleanly. `eventlake status` reads it, and
// checks the pid still runs (a crash leaves a stale file behind).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DevState {
  pid: number;
  port: number;
  url: string;
  startedAt: string;
  dataDir: string;
  /** The queues as the process last saw them (refreshed every few seconds while it runs). */
  queues?: { at: string; depths: Record<string, { visible: number; inFlight: number; dlq: number }> };
}

export const devStateFile = (dataDir: string): string => path.join(dataDir, '_dev', 'state.json');

export function writeDevState(state: DevState): void {
  const file = devStateFile(state.dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeDevState(dataDir: string, pid = process.pid): void {
  const state = readDevState(dataDir);
  if (state?.pid === pid) rmSync(devStateFile(dataDir), { force: true });
}

export function readDevState(dataDir: string): DevState | undefined {
  try {
    const parsed = JSON.parse(readFileSync(devStateFile(dataDir), 'utf8')) as DevState;
    return Number.isInteger(parsed.pid) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** True when a process with that pid exists (EPERM: it exists, owned by someone else). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
