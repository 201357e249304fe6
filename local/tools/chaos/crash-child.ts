// The dev stack as a child process the crash run can kill: `eventlake dev --port 0 --data-dir <dir>`
// started with this Node, its output appended to <dir>/../crash-dev.log, its URL read from the state
// file it writes once it listens. Only this child is ever signalled, by its own pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDevState } from '../../cli/dev-state.js';

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));

export interface DevChild {
  pid: number;
  dataDir: string;
  /** Resolves with the exit code (null after a signal) once the process is gone. */
  exited: Promise<number | null>;
  /** Resolves with the API's URL once the child listens (its state file names it). */
  listening(deadlineMs?: number): Promise<string>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), then waits for the exit code. */
  stop(): Promise<number | null>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `env`: variables added to this process's environment for the child. */
export function spawnDev(dataDir: string, logFile: string, env: Record<string, string> = {}): DevChild {
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [bin, 'dev', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', out, out],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
  });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error('eventlake dev did not start');
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      code = c;
      resolve(c);
    }),
  );
  const kill = async () => {
    if (code === undefined) child.kill('SIGKILL');
    await exited;
  };
  const listening = async (deadlineMs = 120_000) => {
    const until = Date.now() + deadlineMs;
    for (;;) {
      const state = readDevState(dataDir);
      if (state?.pid === pid) return state.url;
      if (code !== undefined) throw new Error(`eventlake dev exited (${code}) before listening; see ${logFile}`);
      if (Date.now() > until) {
        await kill();
        throw new Error(`eventlake dev did not listen within ${deadlineMs} ms; see ${logFile}`);
      }
      await sleep(20);
    }
  };
  const stop = async () => {
    if (code === undefined) child.kill('SIGTERM');
    return exited;
  };
  return { pid, dataDir, exited, listening, kill, stop };
}

/** Polls `condition` every few ms until it holds or the deadline passes; says which. */
export async function waitFor(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await sleep(5);
  }
  return condition();
}

export const devLogFile = (dataDir: string): string => path.join(path.dirname(dataDir), 'crash-dev.log');
